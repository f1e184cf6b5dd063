#pragma once
// The reading side of the prefetch feed (docs/design.md sections 7 and 8): takes a
// snapshot of a directory and follows its change feed into a local store,
// verifying every record and every removal against its own anchors (and
// the SPC map as fed) before it keeps or drops anything. A record or a
// removal that does not verify is refused: remembered, reported, and not
// applied, so a lying directory can neither add a forged key nor drop a
// valid one by a claimed revocation. The digest check after each page and
// snapshot counts refused records too, so a refusal is not mistaken for a
// lost change. Not thread-safe: one sync at a time.

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "certs/clock.h"
#include "certs/trust_store.h"
#include "directory/client/directory_client.h"
#include "directory/directory_config.h"
#include "directory/store/advertisement_store.h"
#include "directory/store/feed_store.h"
#include "directory/store/sql_key_store.h"

namespace keydir {

// One refused record or removal; `reason` is the error type's name
// (bad-signature, untrusted-chain, expired, not-authorized, ...).
struct Refusal {
  std::int64_t seq = 0;  // the change's sequence; the snapshot's for a snapshot line
  std::string kind;
  std::string id;
  std::string what;  // put or remove
  std::string reason;
  std::string detail;
};

struct FollowProgress {
  std::int64_t records = 0;  // snapshot lines or changes applied so far
  std::int64_t total = 0;    // changes expected, when known
  double seconds = 0;
};

struct FollowerOptions {
  bool wide_only = false;  // buckets mode: follow the wide feed only
  std::size_t page_limit = 1000;
  // The page cache a snapshot is written with (BulkCopyWriting); the
  // setting's default unless the caller passes the setting.
  std::size_t bulk_copy_cache_mib = DirectoryConfig{}.bulk_copy_cache_mib;
  std::function<void(const Refusal&)> on_refused;
  std::function<void(const FollowProgress&)> on_progress;
  // A snapshot or page older than the sequence reached, refused.
  std::function<void(const std::string& why)> on_rollback;
  // Asked between lines and pages: true ends a sync early (kUnavailable),
  // leaving the replica at the last page or snapshot that checked out.
  std::function<bool()> should_stop;
};

struct SyncReport {
  bool snapshot_taken = false;
  std::int64_t sequence = 0;  // reached
  std::int64_t applied = 0;
  std::vector<Refusal> refused;
};

class FeedFollower {
 public:
  // The stores are the replica's (one SQLite file); all must outlive this.
  FeedFollower(DirectoryClient& upstream, SqlKeyStore& keys, AdvertisementStore& ads,
               FeedStore& feed, const TrustStore& trust, const Clock& clock,
               FollowerOptions options = {});

  // Brings the replica to the upstream's present: a snapshot when it has
  // none (or the upstream no longer keeps its place: 410), else the changes
  // since the sequence it reached. Errors, each naming the sequence:
  // kUnavailable (no answer), kMalformed (a line or page that does not
  // parse, a sequence going backwards, a cut snapshot), kBadSignature (the
  // digest disagrees: the sequence is not advanced; take a snapshot).
  Result<SyncReport> sync();
  // Takes a fresh snapshot whatever the replica holds, and drops what the
  // snapshot lacks.
  Result<SyncReport> takeSnapshot();
  // Records the upstream holds, as its /v1/meta says: the total a
  // snapshot's progress reports count towards.
  void setExpectedRecords(std::int64_t records) { expected_records_ = records; }

 private:
  Result<void> followChanges(std::int64_t since, SyncReport& report);
  // Applies one record (a put). Returns false when it was refused.
  Result<bool> applyPut(std::int64_t seq, const std::string& kind, const std::string& id,
                        const nlohmann::json& body, SyncReport& report);
  Result<bool> applyRemove(std::int64_t seq, const std::string& kind, const std::string& id,
                           const std::string& reason, const std::string& proof,
                           const std::string& by, const std::string& note, SyncReport& report);
  struct PendingKey {
    std::string id;
    nlohmann::json body;
  };
  // Stores a snapshot's batch of key records as verified, refusing the rest.
  Result<void> storeSnapshotKeys(std::int64_t seq, const std::vector<PendingKey>& batch,
                                 std::vector<Result<NewKey>>& verified, SyncReport& report);
  Result<void> refuse(Refusal refusal, SyncReport& report);
  std::unexpected<Error> rollback(const std::string& why);
  std::string feedPath(const std::string& route) const;

  DirectoryClient& upstream_;
  SqlKeyStore& keys_;
  AdvertisementStore& ads_;
  FeedStore& feed_;
  const TrustStore& trust_;
  const Clock& clock_;
  FollowerOptions options_;
  std::int64_t expected_records_ = 0;
};

// A replica's digest as its upstream should see it: of everything the feed
// gave it, held or refused (of its wide records alone when it follows the
// wide feed).
Result<std::string> receivedDigest(FeedStore& replica);

}  // namespace keydir
