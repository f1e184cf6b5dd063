#pragma once
// The rows a key is found by: one per prefix block of each number range in
// its scope (key_blocks) and one per SPC it names (key_spcs). They are
// written with the key and deleted with it, inside a transaction the
// caller holds, so that this file alone knows how a scope is laid out.

#include <string>
#include <vector>

#include "certs/tn_scope.h"
#include "directory/store/database.h"

namespace keydir {

Result<void> storeKeyScopes(Database& db, const std::string& key_id,
                            const std::vector<TnScope>& scopes);

// Deletes the key's scope rows and then its row. The block shapes it
// noted stay: a shape only tells a lookup which prefixes to probe.
Result<void> deleteKeyRows(Database& db, const std::string& key_id,
                           const std::vector<TnScope>& scopes);

}  // namespace keydir
