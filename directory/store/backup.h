#pragma once
// An online copy of a keydir SQLite file (the directory's or a cache's)
// through SQLite's backup API (https://sqlite.org/backup.html), safe while
// a server writes to it: the copy is the database as of one read
// transaction, so every write committed before the backup began is in it.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "certs/error.h"

namespace keydir {

struct BackupReport {
  std::int64_t pages = 0;
  std::int64_t bytes = 0;
  std::string integrity;  // PRAGMA integrity_check on the copy: "ok"
};

// Copies `from` to `to`, which must not exist; the copy appears under its
// name only when whole and checked. kNotFound for a missing source,
// kMalformed for an existing target, kUnavailable for SQLite failures or a
// copy whose integrity check fails.
Result<BackupReport> backupDatabase(const std::filesystem::path& from,
                                    const std::filesystem::path& to);

// Replaces everything in `into` by the pages of `from`, in one write
// transaction of `into`: its other connections see the old database until
// the copy commits and the new one after, never a mix. Both must have the
// same page size when `into` is in WAL mode. Returns the pages copied.
Result<std::int64_t> copyPages(sqlite3* from, sqlite3* into);

}  // namespace keydir
