#pragma once
// The directory's SQLite schema, created and migrated in order by
// PRAGMA user_version (docs/design.md section 10).
//
// Scopes are stored as the decimal prefix blocks that tile them
// (key_blocks, spc_blocks; block text "prefix/length"), so that finding what
// holds a TN is one indexed look-up of its own 16 prefixes, whatever the
// number of records.

#include <functional>
#include <string>

#include "directory/store/sqlite.h"

namespace keydir {

inline constexpr std::int64_t kSchemaVersion = 11;

// Brings the database to kSchemaVersion in one transaction, telling `say`
// of each step that rewrites much of a large file before it starts.
// kUnavailable if the file is from a newer keydir.
Result<void> migrateSchema(Database& db, const std::function<void(const std::string&)>& say = {});

}  // namespace keydir
