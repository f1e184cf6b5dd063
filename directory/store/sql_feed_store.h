#pragma once
// FeedStore on the key store's database and connections: the feed in
// sql_feed_store.cc, a follower's own state in sql_feed_follower_state.cc.

#include "directory/store/connection_pool.h"
#include "directory/store/feed_store.h"

namespace keydir {

class SqlFeedStore : public FeedStore {
 public:
  // `pool` is the key store's; it must outlive this. Snapshots open a
  // connection of their own, so that a long stream holds no connection a
  // lookup is waiting for.
  explicit SqlFeedStore(ConnectionPool& pool) : pool_(pool) {}

  Result<FeedStatus> status() override;
  Result<FeedPage> changes(std::int64_t since, std::size_t limit, bool wide_only) override;
  Result<std::optional<SnapshotEnd>> snapshot(
      bool wide_only, const std::function<bool(std::int64_t)>& begin,
      const std::function<bool(const SnapshotRecord&)>& each) override;
  Result<BucketContents> bucket(std::uint32_t bucket) override;
  Result<std::size_t> sweepExpired(Instant now, std::size_t limit) override;
  Result<std::size_t> pruneBefore(Instant cutoff) override;
  Result<std::size_t> forgetRemovedKeys(Instant now, std::size_t limit) override;
  Result<bool> removeRecord(const std::string& kind, const std::string& id,
                            const std::string& reason, const std::string& detail,
                            Instant now) override;
  Result<bool> putSpcEntry(const SpcAssignment& entry, Instant now) override;
  Result<std::optional<FollowerState>> followerState() override;
  Result<void> saveFollowerState(const FollowerState& state) override;
  Result<bool> noteRefused(const std::string& kind, const std::string& id,
                           const std::string& reason) override;
  Result<bool> forgetRefused(const std::string& kind, const std::string& id) override;
  Result<bool> isRefused(const std::string& kind, const std::string& id) override;
  Result<bool> holds(const std::string& kind, const std::string& id) override;
  Result<void> clearSeen() override;
  Result<void> markSeen(const std::vector<std::pair<std::string, std::string>>& records) override;
  Result<std::vector<std::pair<std::string, std::string>>> heldButNotSeen(bool wide_only) override;
  Result<void> clearRefused() override;

 private:
  ConnectionPool& pool_;
};

}  // namespace keydir
