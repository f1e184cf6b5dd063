#pragma once
// What a directory or a cache keeps of records that have left its live set
// (docs/design.md section 7): each change for `retention`, and a key taken
// out of the feed until its removal is no longer among the changes kept
// and its credential has expired. Until then `GET /v1/keys/{id}` still
// answers for it (revoked or expired); after, the key is forgotten, so a
// directory whose numbers renew their credentials weekly does not grow by
// a key a number a week.

#include <chrono>
#include <string>

#include "directory/store/feed_store.h"

namespace keydir {

struct Forgotten {
  std::size_t changes = 0;
  std::size_t keys = 0;
  bool keys_left = false;  // the call stopped at its bound: more may be due
};

// How much one call forgets. A batch a transaction, so that writers are
// not held up behind a long run; and a bound on the call, so that the
// thread that calls it (a cache's poller, a directory's expiry sweep) goes
// back to its own work, and the next call goes on. At some 25 us a key on
// SQLite a call takes half a second, and a cache polling every 30 s
// forgets 40,000 keys a minute: a directory of ten million numbers that
// renew weekly leaves about a thousand a minute to forget, and one
// upgraded with years of history forgets it over hours, not in one call
// that stops the cache from following its directory for minutes.
struct ForgetLimits {
  std::size_t keys_a_batch = 1000;
  std::size_t keys_a_call = 20'000;
};

Result<Forgotten> forgetPastRetention(FeedStore& feed, Instant now, std::chrono::seconds retention,
                                      const ForgetLimits& limits = {});

// What to log after a call that stopped at its bound, so that an operator
// watching an upgraded file's backlog sees it go down; empty otherwise.
std::string forgettingBacklogNote(const Forgotten& forgotten);

}  // namespace keydir
