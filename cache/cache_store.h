#pragma once
// The cache's own state, kept beside its replica of the directory in the
// same SQLite file: the secret that fixes its decoy buckets (made once,
// when the file is created) and when a poll of the directory last
// succeeded, so that a restarted cache knows how stale it is.

#include <memory>
#include <optional>
#include <string>

#include "certs/instant.h"
#include "directory/store/connection_pool.h"

namespace keydir {

class CacheStore {
 public:
  // Creates the cache's tables if missing, and the secret with them.
  static Result<std::unique_ptr<CacheStore>> open(ConnectionPool& pool);

  // 32 random bytes in hex, the same for the life of the file.
  const std::string& secret() const { return secret_; }
  Result<std::optional<Instant>> lastGoodPoll();
  Result<void> setLastGoodPoll(Instant at);

 private:
  CacheStore(ConnectionPool& pool, std::string secret) : pool_(pool), secret_(std::move(secret)) {}

  ConnectionPool& pool_;
  std::string secret_;
};

}  // namespace keydir
