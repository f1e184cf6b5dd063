#pragma once
// `keydir migrate` (docs/design.md section 15): a SQLite directory copied whole into
// an empty PostgreSQL database, so that it carries on there as it was:
// records, certificates, the SPC map, the retained changes with their
// digests, the bucket index and the feed's sequence. Followers of the old
// directory carry on from the same sequence without a new snapshot.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "certs/error.h"

namespace keydir {

struct MigratedTable {
  std::string name;
  std::int64_t rows = 0;
};

struct MigrationReport {
  std::vector<MigratedTable> tables;
  std::int64_t sequence = 0;
  std::string digest;  // hex, of the live set; the same at both ends
};

// Copies `from` (a SQLite file, read in one snapshot, so a running
// directory may keep serving) into `to` (a postgresql:// URI) in one
// transaction: a failure leaves the target as it was. Then compares every
// table's rows and the feed's sequence and digests at both ends.
// kNotFound when `from` is not there; kMalformed for a `to` that is not a
// postgresql:// URI, or when the target already holds a directory's records;
// kUnavailable for storage failures; kMalformed when the counts or
// digests disagree (nothing is kept then). `progress(step, rows)` is
// called now and then: a table and the rows copied so far, and at the end
// the planner's statistics being gathered (rows 0).
Result<MigrationReport> migrateToPostgres(
    const std::string& from, const std::string& to,
    const std::function<void(const std::string&, std::int64_t)>& progress = {});

}  // namespace keydir
