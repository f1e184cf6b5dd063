#pragma once
// Rows that the SQLite stores share: the content-addressed chain (written
// inside a transaction the caller holds), scope and time columns.

#include <string>
#include <string_view>
#include <vector>

#include "certs/instant.h"
#include "certs/tn_scope.h"
#include "directory/store/sqlite.h"

namespace keydir {

inline std::int64_t unixSeconds(Instant instant) { return instant.time_since_epoch().count(); }
inline Instant fromUnix(std::int64_t seconds) { return Instant(std::chrono::seconds(seconds)); }

// A key's scopes as stored: scope strings, space separated, sorted.
std::string scopeText(const std::vector<TnScope>& scopes);
std::vector<TnScope> scopesFromText(const std::string& text);

// Stores each certificate once and the chain under `address`
// (chainAddress of the same DER).
Result<void> storeChain(Database& db, const std::vector<std::string>& chain_der,
                        const std::string& address);

}  // namespace keydir
