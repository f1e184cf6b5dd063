#pragma once
// KeyStore on SQL: one SQLite file in WAL mode, or a PostgreSQL database
// (the engine is the pool's; docs/design.md sections 10 and 15).

#include <functional>
#include <memory>
#include <optional>

#include "directory/store/connection_pool.h"
#include "directory/store/feed_log.h"
#include "directory/store/key_store.h"
#include "directory/store/sql_spc_map.h"

namespace keydir {

class SqlKeyStore : public KeyStore {
 public:
  // Opens or creates the file (or connects to the database named by a
  // postgresql:// URI) and migrates its schema, telling `say` of
  // each upgrade step before it runs. With `feed`, makes the feed's
  // settings these (rebuilding its index if they differ, with
  // `progress(done, total)`); without, keeps those the file has.
  static Result<std::unique_ptr<SqlKeyStore>> open(
      const std::string& target, const PoolOptions& pool = {},
      const std::optional<FeedSettings>& feed = std::nullopt,
      const std::function<void(std::size_t, std::size_t)>& progress = {},
      const std::function<void(const std::string&)>& say = {});

  Result<InsertOutcome> insertKey(const NewKey& key, Instant now, std::size_t max_active) override;
  Result<std::vector<Result<InsertOutcome>>> insertKeys(const std::vector<NewKey>& keys,
                                                        Instant now,
                                                        std::size_t max_active) override;
  Result<std::optional<StoredKey>> findKey(const std::string& id) override;
  Result<std::vector<StoredKey>> keysForTn(const std::string& tn, Instant now,
                                           std::int64_t* as_of = nullptr) override;
  Result<std::int64_t> lastChange() override;
  Result<ChangedScopes> scopesChangedSince(std::int64_t since, std::size_t limit) override;
  // For a file made to replace another whose changes someone followed up
  // to `sequence` (a cache's fresh snapshot, taken aside): its own changes
  // are numbered after it, and everything up to it counts as no longer
  // kept, so that whoever asks what changed since then is told everything.
  Result<void> numberChangesAfter(std::int64_t sequence);
  // Canonical TNs that some key's scope names alone, in order, after
  // `after`: what is worth answering ahead (AnswersMadeAhead). Revoked and
  // removed keys count too; their numbers' answers say what is left.
  Result<std::vector<std::string>> ownNumbersAfter(const std::string& after, std::size_t limit);
  Result<StoredKey> revokeKey(const std::string& id, const std::string& jti, std::string_view proof,
                              Instant now) override;
  Result<std::optional<std::string>> certificatesPem(const std::string& sha256_hex) override;
  Result<std::size_t> importSpcMap(const std::vector<SpcAssignment>& entries,
                                   const std::function<void(std::size_t)>& progress,
                                   bool replace_all = false) override;
  const SpcMap& spcMap() const override { return spc_map_; }
  Result<StoreCounts> counts(Instant now) override;
  Result<void> ping() override;

  // The connections, for stores that share them (advertisements, the feed).
  ConnectionPool& pool() { return *pool_; }

 private:
  explicit SqlKeyStore(std::unique_ptr<ConnectionPool> pool)
      : pool_(std::move(pool)), spc_map_(*pool_) {}

  std::unique_ptr<ConnectionPool> pool_;
  SqlSpcMap spc_map_;
};

}  // namespace keydir
