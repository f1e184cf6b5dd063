#pragma once
// What a directory or a cache keeps of records that have left its live set
// (docs/design.md section 7): each change for `retention`, and a key taken
// out of the feed until its removal is no longer among the changes kept
// and its credential has expired. Until then `GET /v1/keys/{id}` still
// answers for it (revoked or expired); after, the key is forgotten, so a
// directory whose numbers renew their credentials weekly does not grow by
// a key a number a week.

#include <chrono>

#include "directory/store/feed_store.h"

namespace keydir {

struct Forgotten {
  std::size_t changes = 0;
  std::size_t keys = 0;
};

// Forgets what is past retention, a batch per transaction so that writers
// are not held up behind a long run.
Result<Forgotten> forgetPastRetention(FeedStore& feed, Instant now, std::chrono::seconds retention);

}  // namespace keydir
