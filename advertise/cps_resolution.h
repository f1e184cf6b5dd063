#pragma once
// Which CPS serves a TN (docs/design.md section 5): every entry whose scope holds the
// TN, most specific first: a number before a range, a smaller range before a
// larger one, a range before an SPC.

#include <string_view>
#include <vector>

#include "advertise/advertisement.h"
#include "certs/spc_map.h"

namespace keydir {

// The entries of `entries` that hold canonical `tn` (SPC scopes through
// `spc_map`), most specific first; equally specific ones keep their order.
std::vector<CpsEntry> resolveCps(std::string_view tn, const std::vector<CpsEntry>& entries,
                                 const SpcMap* spc_map);

}  // namespace keydir
