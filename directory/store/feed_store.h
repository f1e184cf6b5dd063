#pragma once
// The prefetch feed as stored (docs/design.md section 7): its state, pages of
// changes, a snapshot of the live set, buckets, and the writes that only
// the feed causes (expiry, an operator's withdrawal, retention). A follower
// (the cache) keeps its own progress here too. Behind an interface like the
// other stores; implementations are safe to call from many threads.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "certs/error.h"
#include "certs/instant.h"
#include "certs/spc_map.h"

namespace keydir {

struct FeedStatus {
  std::int64_t sequence = 0;
  std::int64_t oldest_since = 0;  // the oldest `since` a changes page still answers
  std::string digest;             // hex, of the live set
  std::string wide_digest;        // hex, of its wide subset
  int bucket_bits = 0;
  long long wide_threshold = 0;
  std::int64_t largest_bucket_bytes = 0;  // records' JSON of the fullest bucket, unpadded
};

struct FeedChange {
  std::int64_t seq = 0;
  std::string op;    // put, remove
  std::string kind;  // key, ad, spc
  std::string id;
  std::string body;    // put: the record's JSON
  std::string reason;  // remove: revoked, expired, replaced, withdrawn
  std::string detail;  // revoked: proof; replaced: the newer id; withdrawn: a note
};

struct FeedPage {
  std::int64_t since = 0;
  std::int64_t to = 0;
  bool more = false;
  std::string digest;  // hex, of the covered set as of `to`
  std::vector<FeedChange> changes;
};

struct SnapshotRecord {
  std::string kind;
  std::string id;
  std::string body;  // JSON
};

struct SnapshotEnd {
  std::int64_t seq = 0;
  std::int64_t count = 0;
  std::string digest;
};

struct BucketContents {
  std::int64_t seq = 0;
  std::vector<std::string> keys;  // JSON each
  std::vector<std::string> ads;
  std::vector<std::string> spc;
  std::optional<Instant> earliest_expiry;
  // The live set's digest at `seq`: with the bucket, `seq` and the feed's
  // settings it names these contents, so an ETag need not hash them.
  std::string digest;
};

// How far a follower has come, kept in its own file.
struct FollowerState {
  std::string upstream;
  std::string scope = "all";   // all or wide
  std::int64_t sequence = 0;   // 0: no whole snapshot yet
  std::string refused_digest;  // hex, of refused records the upstream still holds
};

class FeedStore {
 public:
  virtual ~FeedStore() = default;

  virtual Result<FeedStatus> status() = 0;
  // Changes with since < seq, at most `limit`, the wide ones only if asked.
  // kMalformed for a since above the sequence, kGone for one older than
  // what is kept.
  virtual Result<FeedPage> changes(std::int64_t since, std::size_t limit, bool wide_only) = 0;
  // Streams every live record (the wide ones only if asked) as of one
  // sequence, from one read transaction on a connection of its own:
  // `begin(seq)` first, then `each` per record. Either returning false
  // stops the stream (the client went away) without an end.
  virtual Result<std::optional<SnapshotEnd>> snapshot(
      bool wide_only, const std::function<bool(std::int64_t)>& begin,
      const std::function<bool(const SnapshotRecord&)>& each) = 0;
  virtual Result<BucketContents> bucket(std::uint32_t bucket) = 0;

  // Takes out of the feed, reason expired, at most `limit` keys and
  // advertisements whose expiry has passed; returns how many.
  virtual Result<std::size_t> sweepExpired(Instant now, std::size_t limit) = 0;
  // Forgets changes made before `cutoff`; returns how many.
  virtual Result<std::size_t> pruneBefore(Instant cutoff) = 0;
  // Deletes at most `limit` keys taken out of the feed by a change no
  // longer kept (pruneBefore) whose credentials have expired by `now`,
  // with the rows they are found by; returns how many. A credential that
  // has expired cannot be registered again, so a forgotten key stays gone.
  virtual Result<std::size_t> forgetRemovedKeys(Instant now, std::size_t limit) = 0;
  // Takes one record out of the feed with a reason and detail; false when
  // it was not in it. kMalformed for an unknown kind.
  virtual Result<bool> removeRecord(const std::string& kind, const std::string& id,
                                    const std::string& reason, const std::string& detail,
                                    Instant now) = 0;
  // Adds or changes one SPC-map entry as a follower receives it.
  virtual Result<bool> putSpcEntry(const SpcAssignment& entry, Instant now) = 0;

  // A follower's progress and refusals.
  virtual Result<std::optional<FollowerState>> followerState() = 0;
  virtual Result<void> saveFollowerState(const FollowerState& state) = 0;
  // Remembers a refused record (its term joins the refused digest); and
  // forgets one the upstream removed. Each returns whether it changed.
  virtual Result<bool> noteRefused(const std::string& kind, const std::string& id,
                                   const std::string& reason) = 0;
  virtual Result<bool> forgetRefused(const std::string& kind, const std::string& id) = 0;
  virtual Result<bool> isRefused(const std::string& kind, const std::string& id) = 0;
  // Records held by this store (the follower's own live set) by kind and id.
  virtual Result<bool> holds(const std::string& kind, const std::string& id) = 0;
  // While a follower applies a snapshot over records it already holds, it
  // marks each one the snapshot names; afterwards it drops the held records
  // left unmarked.
  virtual Result<void> clearSeen() = 0;
  virtual Result<void> markSeen(
      const std::vector<std::pair<std::string, std::string>>& records) = 0;
  // With `wide_only`, among wide records only (a cache in buckets mode
  // holds narrow ones from buckets, which no wide snapshot names).
  virtual Result<std::vector<std::pair<std::string, std::string>>> heldButNotSeen(
      bool wide_only) = 0;
  // Forgets every refusal (before a fresh snapshot).
  virtual Result<void> clearRefused() = 0;
};

}  // namespace keydir
