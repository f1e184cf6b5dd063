#include "directory/feed_retention.h"

#include <algorithm>

namespace keydir {

Result<Forgotten> forgetPastRetention(FeedStore& feed, Instant now, std::chrono::seconds retention,
                                      const ForgetLimits& limits) {
  Forgotten forgotten;
  auto pruned = feed.pruneBefore(now - retention);
  if (!pruned) return std::unexpected(pruned.error());
  forgotten.changes = *pruned;
  while (forgotten.keys < limits.keys_a_call) {
    const std::size_t batch = std::min(limits.keys_a_batch, limits.keys_a_call - forgotten.keys);
    auto keys = feed.forgetRemovedKeys(now, batch);
    if (!keys) return std::unexpected(keys.error());
    forgotten.keys += *keys;
    if (*keys < batch) return forgotten;
  }
  // The bound was reached on a full batch: more may be due.
  forgotten.keys_left = true;
  return forgotten;
}

std::string forgettingBacklogNote(const Forgotten& forgotten) {
  if (!forgotten.keys_left) return {};
  return "forgot " + std::to_string(forgotten.keys) +
         " keys past retention; more are due, and the next sweep or poll goes on";
}

}  // namespace keydir
