#pragma once
// Bulk import of NDJSON registrations ({"dc","x5c"} per line), as
// `keydir import` does to seed or restore a directory. Each line passes
// exactly the checks of POST /v1/keys (KeyRegistry::prepareKey); lines are
// verified on several threads and stored a batch per transaction, so one
// fsync covers many keys. A refused line is reported and skipped; a storage
// failure stops the import with everything before it stored.

#include <functional>
#include <istream>

#include "certs/clock.h"
#include "certs/error.h"
#include "directory/key_registry.h"

namespace keydir {

struct ImportCounts {
  std::size_t lines = 0;
  std::size_t imported = 0;
  std::size_t already_present = 0;
  std::size_t refused = 0;
};

struct ImportOptions {
  unsigned threads = 0;  // 0: one per core
  std::size_t batch_lines = 2000;
  std::function<void(std::size_t line, const Error&)> on_refused;
  std::function<void(const ImportCounts&)> on_progress;  // after each batch
};

Result<ImportCounts> importKeys(std::istream& in, KeyRegistry& registry, const Clock& clock,
                                const ImportOptions& options);

}  // namespace keydir
