#pragma once
// Writes that the SQLite stores share, each inside a transaction the caller
// holds: the content-addressed chain, the change log, and time columns.

#include <string>
#include <string_view>
#include <vector>

#include "certs/instant.h"
#include "directory/store/sqlite.h"

namespace keydir {

inline std::int64_t unixSeconds(Instant instant) { return instant.time_since_epoch().count(); }
inline Instant fromUnix(std::int64_t seconds) { return Instant(std::chrono::seconds(seconds)); }

// Appends to the change log: `kind` is key, spc or ad; `op` what happened.
Result<void> recordChange(Database& db, std::string_view kind, std::string_view id,
                          std::string_view op, Instant now);

// Stores each certificate once and the chain under `address`
// (chainAddress of the same DER).
Result<void> storeChain(Database& db, const std::vector<std::string>& chain_der,
                        const std::string& address);

}  // namespace keydir
