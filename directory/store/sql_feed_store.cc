#include "directory/store/sql_feed_store.h"

#include <algorithm>

#include "directory/store/feed_hashes.h"
#include "directory/store/feed_log.h"
#include "directory/store/key_scope_rows.h"
#include "directory/store/spc_entries.h"
#include "directory/store/sql_rows.h"

namespace keydir {
namespace {

// Records in the feed, by kind: id and the JSON the feed carries.
std::string liveKeys(const Database& db) {
  return "SELECT id, record FROM keys" + db.indexedBy("keys_in_feed") +
         " WHERE removed IS NULL ORDER BY expires, rowid";
}
std::string liveWideKeys(const Database& db) {
  return "SELECT id, record FROM keys" + db.indexedBy("keys_wide_in_feed") +
         " WHERE removed IS NULL AND wide = 1 ORDER BY id";
}
// Each in an order both engines give from an index, so that a snapshot
// lists the same records in the same order whichever holds them.
constexpr const char* kLiveAds = "SELECT id, jws FROM ads WHERE removed IS NULL ORDER BY id";
constexpr const char* kLiveWideAds =
    "SELECT id, jws FROM ads WHERE removed IS NULL AND wide = 1 ORDER BY id";
constexpr const char* kLiveSpc = "SELECT scope, spc FROM spc_map ORDER BY scope";
constexpr const char* kLiveWideSpc = "SELECT scope, spc FROM spc_map WHERE wide = 1 ORDER BY scope";

constexpr std::size_t kMaxChangesPage = 10000;

Result<FeedStatus> readStatus(Database& db) {
  auto select = db.prepare(
      "SELECT sequence, pruned_through, digest, wide_digest, bucket_bits, wide_threshold,"
      " (SELECT COALESCE(MAX(bytes), 0) FROM bucket_sizes) FROM feed_state");
  if (!select) return std::unexpected(select.error());
  auto row = select->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(ErrorCode::kUnavailable, "the database has no feed state");
  FeedStatus status;
  status.sequence = select->integer(0);
  status.oldest_since = select->integer(1);
  status.digest = digestHex(digestFromBytes(select->text(2)));
  status.wide_digest = digestHex(digestFromBytes(select->text(3)));
  status.bucket_bits = int(select->integer(4));
  status.wide_threshold = select->integer(5);
  status.largest_bucket_bytes = select->integer(6);
  return status;
}

}  // namespace

Result<FeedStatus> SqlFeedStore::status() {
  auto db = pool_.borrow();
  return readStatus(*db);
}

Result<FeedPage> SqlFeedStore::changes(std::int64_t since, std::size_t limit, bool wide_only) {
  limit = std::clamp<std::size_t>(limit, 1, kMaxChangesPage);
  auto db = pool_.borrow();
  Transaction snapshot(*db, TransactionKind::kRead);
  if (auto ok = snapshot.begun(); !ok) return std::unexpected(ok.error());
  auto status = readStatus(*db);
  if (!status) return std::unexpected(status.error());
  if (since > status->sequence) {
    return fail(ErrorCode::kMalformed, "since " + std::to_string(since) +
                                           " is past the directory's sequence " +
                                           std::to_string(status->sequence));
  }
  if (since < status->oldest_since) {
    return fail(ErrorCode::kGone, "changes up to " + std::to_string(status->oldest_since) +
                                      " are no longer kept; take a new snapshot");
  }
  auto select = db->prepare(
      std::string("SELECT f.seq, f.op, f.kind, f.id, f.reason, f.detail, f.body, f.digest,"
                  " f.wide_digest, k.record, a.jws FROM feed f") +
      (wide_only ? db->indexedBy("feed_wide") : "") +
      " LEFT JOIN keys k ON f.op = 'put' AND f.kind = 'key' AND k.id = f.id"
      " LEFT JOIN ads a ON f.op = 'put' AND f.kind = 'ad' AND a.id = f.id"
      " WHERE f.seq > ?1" +
      (wide_only ? " AND f.wide = 1" : "") + " ORDER BY f.seq LIMIT ?2");
  if (!select) return std::unexpected(select.error());
  select->bind(1, since).bind(2, std::int64_t(limit + 1));
  FeedPage page{
      since, status->sequence, false, wide_only ? status->wide_digest : status->digest, {}};
  std::string last_digest;
  for (;;) {
    auto row = select->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    if (page.changes.size() == limit) {
      page.more = true;
      break;
    }
    FeedChange change;
    change.seq = select->integer(0);
    change.op = select->text(1);
    change.kind = select->text(2);
    change.id = select->text(3);
    change.reason = select->text(4);
    change.detail = select->text(5);
    if (change.op == "put") {
      if (change.kind == "key") change.body = select->text(9);
      if (change.kind == "ad") change.body = adItemJson(change.id, select->text(10));
      if (change.kind == "spc") change.body = select->text(6);
    }
    last_digest = digestHex(digestFromBytes(select->text(wide_only ? 8 : 7)));
    page.changes.push_back(std::move(change));
  }
  if (page.more) {
    page.to = page.changes.back().seq;
    page.digest = last_digest;
  }
  return page;
}

Result<std::optional<SnapshotEnd>> SqlFeedStore::snapshot(
    bool wide_only, const std::function<bool(std::int64_t)>& begin,
    const std::function<bool(const SnapshotRecord&)>& each) {
  auto db = pool_.openDedicated();
  if (!db) return std::unexpected(db.error());
  Transaction snapshot(**db, TransactionKind::kRead);
  if (auto ok = snapshot.begun(); !ok) return std::unexpected(ok.error());
  auto status = readStatus(**db);
  if (!status) return std::unexpected(status.error());
  if (!begin(status->sequence)) return std::optional<SnapshotEnd>();
  SnapshotEnd end{status->sequence, 0, wide_only ? status->wide_digest : status->digest};
  // SPC-map entries first: a follower verifies keys and advertisements
  // with SPC scopes against the map as fed.
  const std::pair<const char*, std::string> kinds[] = {
      {"spc", wide_only ? kLiveWideSpc : kLiveSpc},
      {"key", wide_only ? liveWideKeys(**db) : liveKeys(**db)},
      {"ad", wide_only ? kLiveWideAds : kLiveAds},
  };
  SnapshotRecord record;
  for (const auto& [kind, sql] : kinds) {
    auto select = (*db)->prepareStreaming(sql);
    if (!select) return std::unexpected(select.error());
    record.kind = kind;
    for (;;) {
      auto row = select->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      record.id = select->text(0);
      if (record.kind == "key") record.body = select->text(1);
      if (record.kind == "ad") record.body = adItemJson(record.id, select->text(1));
      if (record.kind == "spc") record.body = spcItemJson(record.id, select->text(1));
      if (!each(record)) return std::optional<SnapshotEnd>();
      ++end.count;
    }
  }
  return std::optional<SnapshotEnd>(end);
}

Result<BucketContents> SqlFeedStore::bucket(std::uint32_t bucket) {
  auto db = pool_.borrow();
  Transaction snapshot(*db, TransactionKind::kRead);
  if (auto ok = snapshot.begun(); !ok) return std::unexpected(ok.error());
  auto status = readStatus(*db);
  if (!status) return std::unexpected(status.error());
  BucketContents contents;
  contents.seq = status->sequence;
  contents.digest = status->digest;
  auto select = db->prepare(
      "SELECT m.kind, CASE m.kind WHEN 'key' THEN k.record ELSE i.item END, i.expires"
      " FROM bucket_members AS m JOIN bucket_items AS i ON i.place = m.place"
      " LEFT JOIN keys AS k ON m.kind = 'key' AND k.id = m.id"
      " WHERE m.bucket = ?1 ORDER BY m.kind, m.id");
  if (!select) return std::unexpected(select.error());
  select->bind(1, std::int64_t(bucket));
  auto note_expiry = [&](std::int64_t seconds) {
    Instant at = fromUnix(seconds);
    if (!contents.earliest_expiry || at < *contents.earliest_expiry) contents.earliest_expiry = at;
  };
  for (;;) {
    auto row = select->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    std::string kind = select->text(0);
    auto& items = kind == "key" ? contents.keys : kind == "ad" ? contents.ads : contents.spc;
    items.push_back(select->text(1));
    if (!select->isNull(2)) note_expiry(select->integer(2));
  }
  return contents;
}

Result<std::size_t> SqlFeedStore::sweepExpired(Instant now, std::size_t limit) {
  auto db = pool_.borrow();
  Transaction transaction(*db);
  if (auto ok = transaction.begun(); !ok) return std::unexpected(ok.error());
  std::vector<std::pair<std::string, std::string>> expired;
  for (auto [kind, sql] :
       {std::pair{"key", "SELECT id FROM keys" + db->indexedBy("keys_in_feed") +
                             " WHERE removed IS NULL AND expires <= ?1 LIMIT ?2"},
        std::pair{"ad", "SELECT id FROM ads" + db->indexedBy("ads_in_feed") +
                            " WHERE removed IS NULL AND expires <= ?1 LIMIT ?2"}}) {
    auto select = db->prepare(sql);
    if (!select) return std::unexpected(select.error());
    select->bind(1, unixSeconds(now)).bind(2, std::int64_t(limit));
    for (;;) {
      auto row = select->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      expired.emplace_back(kind, select->text(0));
    }
  }
  for (const auto& [kind, id] : expired) {
    if (auto ok = removeFromFeed(*db, kind, id, "expired", "", now); !ok) {
      return std::unexpected(ok.error());
    }
  }
  if (auto ok = transaction.commit(); !ok) return std::unexpected(ok.error());
  return expired.size();
}

Result<std::size_t> SqlFeedStore::pruneBefore(Instant cutoff) {
  auto db = pool_.borrow();
  Transaction transaction(*db);
  if (auto ok = transaction.begun(); !ok) return std::unexpected(ok.error());
  // Changes are appended in time order: forget the oldest run made before
  // the cutoff, and say where the kept history now starts.
  auto select = db->prepare("SELECT seq, at FROM feed ORDER BY seq");
  if (!select) return std::unexpected(select.error());
  std::int64_t through = -1;
  std::size_t count = 0;
  for (;;) {
    auto row = select->step();
    if (!row) return std::unexpected(row.error());
    if (!*row || select->integer(1) >= unixSeconds(cutoff)) break;
    through = select->integer(0);
    ++count;
  }
  select->reset();
  if (count == 0) return 0;
  auto drop = db->prepare("DELETE FROM feed WHERE seq <= ?1");
  auto mark = db->prepare("UPDATE feed_state SET pruned_through = ?1 WHERE pruned_through < ?1");
  if (!drop) return std::unexpected(drop.error());
  if (!mark) return std::unexpected(mark.error());
  if (auto ok = drop->bind(1, through).run(); !ok) return std::unexpected(ok.error());
  if (auto ok = mark->bind(1, through).run(); !ok) return std::unexpected(ok.error());
  if (auto ok = transaction.commit(); !ok) return std::unexpected(ok.error());
  return count;
}

Result<std::size_t> SqlFeedStore::forgetRemovedKeys(Instant now, std::size_t limit) {
  auto db = pool_.borrow();
  // Each key's blocks and SPC rows go before it (deleteKeyRows), so the
  // checks that nothing refers to it would find nothing, at the cost of
  // reading both tables whole for every key.
  ReferencesUnchecked unchecked(*db);
  if (auto ok = unchecked.made(); !ok) return std::unexpected(ok.error());
  Transaction transaction(*db);
  if (auto ok = transaction.begun(); !ok) return std::unexpected(ok.error());
  auto select = db->prepare("SELECT id, scope FROM keys" + db->indexedBy("keys_removed") +
                            " WHERE removed IS NOT NULL"
                            " AND removed <= (SELECT pruned_through FROM feed_state)"
                            " AND expires <= ?1 ORDER BY removed LIMIT ?2");
  if (!select) return std::unexpected(select.error());
  select->bind(1, unixSeconds(now)).bind(2, std::int64_t(limit));
  std::vector<std::pair<std::string, std::string>> forgotten;
  for (;;) {
    auto row = select->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    forgotten.emplace_back(select->text(0), select->text(1));
  }
  select->reset();
  // Nothing to forget commits nothing: a commit would send readers that
  // hold answers to ask whether the file moved (commitsInThisProcess).
  if (forgotten.empty()) return 0;
  for (const auto& [id, scope] : forgotten) {
    if (auto ok = deleteKeyRows(*db, id, scopesFromText(scope)); !ok) {
      return std::unexpected(ok.error());
    }
  }
  if (auto ok = transaction.commit(); !ok) return std::unexpected(ok.error());
  return forgotten.size();
}

Result<bool> SqlFeedStore::removeRecord(const std::string& kind, const std::string& id,
                                        const std::string& reason, const std::string& detail,
                                        Instant now) {
  if (kind != "key" && kind != "ad" && kind != "spc") {
    return fail(ErrorCode::kMalformed,
                "a record is a key, an ad or an spc entry, not '" + kind + "'");
  }
  auto db = pool_.borrow();
  Transaction transaction(*db);
  if (auto ok = transaction.begun(); !ok) return std::unexpected(ok.error());
  auto removed = kind == "spc" ? dropSpcEntry(*db, id, detail, now)
                               : removeFromFeed(*db, kind, id, reason, detail, now);
  if (!removed) return removed;
  if (auto ok = transaction.commit(); !ok) return std::unexpected(ok.error());
  return removed;
}

Result<bool> SqlFeedStore::putSpcEntry(const SpcAssignment& entry, Instant now) {
  auto db = pool_.borrow();
  Transaction transaction(*db);
  if (auto ok = transaction.begun(); !ok) return std::unexpected(ok.error());
  auto changed = keydir::putSpcEntry(*db, entry, now);
  if (!changed) return changed;
  if (auto ok = transaction.commit(); !ok) return std::unexpected(ok.error());
  return changed;
}

}  // namespace keydir
