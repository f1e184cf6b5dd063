#include "directory/feed_retention.h"

namespace keydir {
namespace {

constexpr std::size_t kKeysABatch = 1000;

}  // namespace

Result<Forgotten> forgetPastRetention(FeedStore& feed, Instant now,
                                      std::chrono::seconds retention) {
  Forgotten forgotten;
  auto pruned = feed.pruneBefore(now - retention);
  if (!pruned) return std::unexpected(pruned.error());
  forgotten.changes = *pruned;
  for (;;) {
    auto keys = feed.forgetRemovedKeys(now, kKeysABatch);
    if (!keys) return std::unexpected(keys.error());
    forgotten.keys += *keys;
    if (*keys < kKeysABatch) return forgotten;
  }
}

}  // namespace keydir
