// FeedFollower's snapshot: a whole copy of the upstream's live set, taken
// when the replica has none or the upstream no longer keeps its place
// (feed_follower.h). Following changes is the rest of FeedFollower, in
// feed_follower.cc.
#include <chrono>
#include <future>
#include <limits>
#include <memory>

#include "certs/json_fields.h"
#include "directory/feed_follower.h"
#include "directory/feed_format.h"
#include "directory/feed_records.h"
#include "directory/on_threads.h"
#include "directory/store/feed_hashes.h"
#include "directory/store/feed_store.h"
#include "directory/store/sqlite.h"

namespace keydir {
namespace {

// Snapshot key records verified together; one transaction stores each batch.
constexpr std::size_t kKeyBatch = 1000;

}  // namespace

Result<SyncReport> FeedFollower::takeSnapshot() {
  SyncReport report;
  report.snapshot_taken = true;
  const std::string scope = options_.wide_only ? "wide" : "all";
  auto state = feed_.followerState();
  if (!state) return std::unexpected(state.error());
  const std::int64_t reached = *state ? (*state)->sequence : 0;
  if (!*state || (*state)->upstream != upstream_.baseUrl() || (*state)->scope != scope) {
    if (auto ok = feed_.saveFollowerState({upstream_.baseUrl(), scope, 0, ""}); !ok) {
      return std::unexpected(ok.error());
    }
  }
  auto own = feed_.status();
  if (!own) return std::unexpected(own.error());
  // Over records already held, note which the snapshot names, to drop the rest.
  const bool over_held = own->sequence > 0;
  if (over_held) {
    if (auto ok = feed_.clearSeen(); !ok) return std::unexpected(ok.error());
  }
  if (auto ok = feed_.clearRefused(); !ok) return std::unexpected(ok.error());

  std::int64_t begin_seq = -1;
  std::optional<nlohmann::json> end;
  std::optional<Error> failure;
  std::vector<std::pair<std::string, std::string>> seen;
  const auto started = std::chrono::steady_clock::now();
  // Everything is stored from this thread, through one connection that
  // writes as `keydir import` does.
  ConnectionPool::Pin writer(keys_.pool());
  BulkCopyWriting bulk(*writer, options_.bulk_copy_cache_mib);
  // Key records, the bulk of a snapshot, are verified a batch at a time on
  // every core while the batch before is stored. Other lines wait for the
  // keys before them: a key's check reads the SPC map the snapshot feeds.
  std::vector<PendingKey> pending;
  std::shared_ptr<const std::vector<PendingKey>> in_flight;
  std::future<std::vector<Result<NewKey>>> verifying;
  auto store_in_flight = [&]() -> Result<void> {
    if (!verifying.valid()) return {};
    auto verified = verifying.get();
    return storeSnapshotKeys(begin_seq, *in_flight, verified, report);
  };
  auto verify_pending = [&] {
    in_flight = std::make_shared<const std::vector<PendingKey>>(std::move(pending));
    pending.clear();
    verifying = std::async(std::launch::async, [this, batch = in_flight, now = clock_.now()] {
      return mapOnThreads<Result<NewKey>>(*batch, 0, [&](const PendingKey& key) {
        return verifiedFeedKey(key.id, key.body, trust_, now, keys_.spcMap());
      });
    });
  };
  auto drain_keys = [&]() -> Result<void> {
    if (auto ok = store_in_flight(); !ok) return ok;
    if (pending.empty()) return {};
    verify_pending();
    return store_in_flight();
  };
  auto flush_seen = [&] {
    if (over_held && !seen.empty()) {
      if (auto ok = feed_.markSeen(seen); !ok) failure = ok.error();
      seen.clear();
    }
  };
  auto streamed = upstream_.streamLines(feedPath("/v1/snapshot"), [&](std::string_view text) {
    nlohmann::json line = nlohmann::json::parse(text, nullptr, false);
    std::string kind = line.is_object() ? textField(line, "kind") : "";
    const std::string where = "snapshot line " + std::to_string(report.applied + 2) + ": ";
    if (begin_seq < 0) {
      if (kind != "begin" || !line.contains("seq") || !line["seq"].is_number_integer()) {
        failure = Error{ErrorCode::kMalformed, where + "the snapshot does not begin with its seq"};
        return false;
      }
      begin_seq = line["seq"].get<std::int64_t>();
      if (begin_seq < reached) {
        failure =
            rollback("the snapshot is at sequence " + std::to_string(begin_seq) + ", before the " +
                     std::to_string(reached) + " already reached (rollback refused)")
                .error();
        return false;
      }
      return true;
    }
    if (kind == "end") {
      end = line;
      return false;
    }
    if (!line.contains("id") || !line["id"].is_string() || !line.contains("body") ||
        !line["body"].is_object()) {
      failure =
          Error{ErrorCode::kMalformed, where + "a record needs \"kind\", \"id\" and \"body\""};
      return false;
    }
    std::string id = line["id"].get<std::string>();
    if (kind == "key") {
      pending.push_back({id, std::move(line["body"])});
      if (pending.size() >= kKeyBatch) {
        // This batch starts verifying before the one before it is stored,
        // so that storing it (one thread) and verifying (every core)
        // overlap as in `keydir import`.
        auto stored_batch = std::move(in_flight);
        auto stored_verifying = std::move(verifying);
        verify_pending();
        if (stored_verifying.valid()) {
          auto verified = stored_verifying.get();
          if (auto ok = storeSnapshotKeys(begin_seq, *stored_batch, verified, report); !ok) {
            failure = ok.error();
            return false;
          }
        }
      }
    } else {
      if (auto drained = drain_keys(); !drained) {
        failure = drained.error();
        return false;
      }
      auto applied = applyPut(begin_seq, kind, id, line["body"], report);
      if (!applied) {
        failure = applied.error();
        return false;
      }
    }
    ++report.applied;
    if (over_held) seen.emplace_back(kind, id);
    if (report.applied % 1000 == 0) {
      flush_seen();
      if (options_.should_stop && options_.should_stop()) {
        failure = Error{ErrorCode::kUnavailable, "stopped during the snapshot"};
        return false;
      }
      if (options_.on_progress) {
        options_.on_progress(
            {report.applied, expected_records_,
             std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()});
      }
    }
    return !failure;
  });
  if (auto drained = drain_keys(); !drained && !failure) failure = drained.error();
  flush_seen();
  if (failure) return std::unexpected(*failure);
  if (!streamed) return std::unexpected(streamed.error());
  if (!end || !end->contains("seq") || !end->contains("digest") || (*end)["seq"] != begin_seq) {
    return fail(ErrorCode::kMalformed,
                "the snapshot at sequence " + std::to_string(begin_seq) +
                    " ended without its end line: it was cut, and is discarded");
  }
  // What the snapshot lacks leaves only once the snapshot checks out, so a
  // snapshot that does not cannot take away what was verified before.
  std::vector<std::pair<std::string, std::string>> unseen;
  if (over_held) {
    auto held_only = feed_.heldButNotSeen(options_.wide_only);
    if (!held_only) return std::unexpected(held_only.error());
    unseen = std::move(*held_only);
  }
  auto received = receivedDigest(feed_);
  if (!received) return std::unexpected(received.error());
  Digest after = digestFromHex(*received);
  for (const auto& [kind, id] : unseen) xorInto(after, digestTerm(kind, id));
  std::string wanted = (*end)["digest"].is_string() ? (*end)["digest"].get<std::string>() : "";
  if (digestHex(after) != wanted) {
    return fail(ErrorCode::kBadSignature, "the snapshot at sequence " + std::to_string(begin_seq) +
                                              " promises digest " + wanted +
                                              " but its records make " + digestHex(after) +
                                              "; nothing held was dropped");
  }
  for (const auto& [kind, id] : unseen) {
    auto removed =
        feed_.removeRecord(kind, id, "withdrawn", "not in the upstream's snapshot", clock_.now());
    if (!removed) return std::unexpected(removed.error());
  }
  if (auto ok = feed_.saveFollowerState({upstream_.baseUrl(), scope, begin_seq, ""}); !ok) {
    return std::unexpected(ok.error());
  }
  report.sequence = begin_seq;
  // Whatever changed while the snapshot streamed.
  if (auto ok = followChanges(begin_seq, report); !ok) return std::unexpected(ok.error());
  return report;
}

Result<void> FeedFollower::storeSnapshotKeys(std::int64_t seq, const std::vector<PendingKey>& batch,
                                             std::vector<Result<NewKey>>& verified,
                                             SyncReport& report) {
  std::vector<NewKey> keys;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (verified[i]) {
      keys.push_back(std::move(*verified[i]));
      continue;
    }
    const Error& error = verified[i].error();
    if (auto ok =
            refuse({seq, "key", batch[i].id, "put", refusalReason(error), error.message}, report);
        !ok) {
      return ok;
    }
  }
  auto outcomes = keys_.insertKeys(keys, clock_.now(), std::numeric_limits<std::size_t>::max());
  if (!outcomes) return std::unexpected(outcomes.error());
  for (std::size_t i = 0; i < outcomes->size(); ++i) {
    if (!(*outcomes)[i]) {
      return failWithContext((*outcomes)[i].error(), "storing snapshot key " + keys[i].id);
    }
  }
  return {};
}

}  // namespace keydir
