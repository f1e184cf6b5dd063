#pragma once
// The directory's tables on PostgreSQL (docs/design.md section 15), in the shape
// SQLite's schema has reached (schema.cc), created and migrated by the
// first process to open the database while it holds the writers' lock, so
// that two never migrate at once; every process checks the version it finds.

#include <functional>
#include <string>

#include "directory/store/database.h"

namespace keydir {

inline constexpr std::int64_t kPostgresSchemaVersion = 3;

Result<void> migratePostgresSchema(Database& db,
                                   const std::function<void(const std::string&)>& say = {});

// Whether the database holds no keydir records (a migration's target must
// be empty). After migratePostgresSchema(), which makes the tables.
Result<bool> postgresIsEmpty(Database& db);

}  // namespace keydir
