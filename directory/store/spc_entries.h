#pragma once
// Writing single SPC-map entries (docs/design.md section 2), each with its change in
// the feed, inside a transaction the caller holds. The operator's import
// and a follower applying the feed both go through here.

#include <string>

#include "certs/instant.h"
#include "certs/spc_map.h"
#include "directory/store/sqlite.h"

namespace keydir {

// Adds the entry, or replaces the SPC of its scope. An unchanged entry
// writes nothing; a changed one leaves the feed (withdrawn) and enters it
// again with its new body. Returns whether anything changed.
Result<bool> putSpcEntry(Database& db, const SpcAssignment& entry, Instant now);

// Removes the entry for `scope` (a scope string): false when there is none.
Result<bool> dropSpcEntry(Database& db, const std::string& scope, std::string_view note,
                          Instant now);

}  // namespace keydir
