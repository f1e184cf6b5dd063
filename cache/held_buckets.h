#pragma once
// The buckets a cache in buckets mode holds, in its SQLite file beside the
// replica: each bucket's sequence and expiry as answered, and which records
// it named, so that a record leaves the replica once no held bucket names
// it. Thread-safe through the pool.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "certs/instant.h"
#include "directory/store/connection_pool.h"

namespace keydir {

struct HeldBucket {
  std::uint32_t bucket = 0;
  std::int64_t seq = 0;
  Instant expires;
};

using RecordName = std::pair<std::string, std::string>;  // kind, id

class HeldBuckets {
 public:
  static Result<std::unique_ptr<HeldBuckets>> open(ConnectionPool& pool);

  Result<std::vector<HeldBucket>> all();
  // Holds `held` with the records its answer named, replacing what it named
  // before; returns the records no held bucket names any more.
  Result<std::vector<RecordName>> hold(const HeldBucket& held,
                                       const std::vector<RecordName>& members);

 private:
  explicit HeldBuckets(ConnectionPool& pool) : pool_(pool) {}
  ConnectionPool& pool_;
};

}  // namespace keydir
