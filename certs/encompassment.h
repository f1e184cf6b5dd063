#pragma once
// Which numbers a list of scopes covers, and whether one list lies inside
// another (RFC 9060 section 4: a delegate's TNAuthList must be encompassed by
// its issuer's). SPC entries are resolved through the SPC map.

#include <string_view>
#include <vector>

#include "certs/error.h"
#include "certs/spc_map.h"
#include "certs/tn_scope.h"

namespace keydir {

// Is canonical `tn` covered by `scope`? An SPC scope covers the TNs whose
// most specific map entry names its SPC; with no map it covers nothing.
bool scopeContains(const TnScope& scope, std::string_view tn, const SpcMap* spc_map);

// Succeeds when every number of every `lower` entry is covered by the union
// of the `upper` entries. An upper "0-X" always encompasses a lower "0-X";
// otherwise a lower SPC entry must have map entries, all inside the upper
// list, since an SPC nobody can resolve proves no authority.
// kNotAuthorized names the first lower entry that reaches outside.
Result<void> checkEncompassed(const std::vector<TnScope>& lower, const std::vector<TnScope>& upper,
                              const SpcMap* spc_map);

}  // namespace keydir
