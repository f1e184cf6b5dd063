#include "directory/store/feed_log.h"

#include <nlohmann/json.hpp>

#include "directory/store/feed_hashes.h"
#include "directory/store/sql_rows.h"

namespace keydir {
namespace {

struct FeedState {
  std::int64_t sequence = 0;
  Digest digest{};
  Digest wide_digest{};
  int bucket_bits = 0;
  long long wide_threshold = 0;
};

// The head as this writing transaction last wrote it, so that a batch of
// appends reads it once: on PostgreSQL each read was a round trip, and
// passed every version of the row the transaction had written before it.
struct KeptHead {
  std::uint64_t epoch = 0;
  FeedState state;
  bool unwritten = false;  // held back by a HeldFeedHead, not yet in the row
};
constexpr const char* kKeptHead = "feed_head";
// Set on the connection while a HeldFeedHead lives.
constexpr const char* kHoldHead = "feed_head_held";

Result<FeedState> readState(Database& db) {
  if (db.inWriteTransaction()) {
    const auto* kept = std::any_cast<KeptHead>(&db.kept(kKeptHead));
    if (kept && kept->epoch == db.transactionEpoch()) return kept->state;
  }
  auto select = db.prepare(
      "SELECT sequence, digest, wide_digest, bucket_bits, wide_threshold FROM feed_state");
  if (!select) return std::unexpected(select.error());
  auto row = select->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(ErrorCode::kUnavailable, "the database has no feed state");
  return FeedState{select->integer(0), digestFromBytes(select->text(1)),
                   digestFromBytes(select->text(2)), int(select->integer(3)), select->integer(4)};
}

bool holdingHead(Database& db) {
  const auto* holding = std::any_cast<bool>(&db.kept(kHoldHead));
  return holding && *holding && db.inWriteTransaction();
}

// Writes the head's row, and keeps what it wrote for the transaction.
Result<void> writeHeadRow(Database& db, const FeedState& state) {
  auto update = db.prepare("UPDATE feed_state SET sequence = ?1, digest = ?2, wide_digest = ?3");
  if (!update) return std::unexpected(update.error());
  auto written = update->bind(1, state.sequence)
                     .bindBlob(2, digestBytes(state.digest))
                     .bindBlob(3, digestBytes(state.wide_digest))
                     .run();
  if (written && db.inWriteTransaction()) {
    db.kept(kKeptHead) = KeptHead{db.transactionEpoch(), state};
  } else {
    db.kept(kKeptHead).reset();
  }
  return written;
}

Result<void> writeState(Database& db, const FeedState& state) {
  if (!holdingHead(db)) return writeHeadRow(db, state);
  db.kept(kKeptHead) = KeptHead{db.transactionEpoch(), state, true};
  return {};
}

// The table holding a kind's records and its key column.
std::pair<const char*, const char*> tableOf(std::string_view kind) {
  if (kind == "key") return {"keys", "id"};
  if (kind == "ad") return {"ads", "id"};
  return {"spc_map", "scope"};
}

Result<void> setColumn(Database& db, std::string_view kind, const char* column, std::int64_t value,
                       const std::string& id) {
  auto [table, key] = tableOf(kind);
  auto update = db.prepare(std::string("UPDATE ") + table + " SET " + column + " = ?1 WHERE " +
                           key + " = ?2");
  if (!update) return std::unexpected(update.error());
  return update->bind(1, value).bind(2, id).run();
}

// Adds (sign +1) or takes (sign -1) the item to or from its buckets.
Result<void> indexBuckets(Database& db, const FeedItem& item, int bits, int sign) {
  // A new member takes the slot after its bucket's last one (slots are
  // never reused: a bucket has 2^32 of them).
  auto add = db.prepare(
      "INSERT INTO bucket_members(bucket, kind, id, place) VALUES (?1, ?2, ?3,"
      " (SELECT COALESCE(MAX(place), CAST(?1 AS BIGINT) << 32) + 1 FROM bucket_items"
      "  WHERE place > CAST(?1 AS BIGINT) << 32 AND place < (CAST(?1 AS BIGINT) + 1) << 32))"
      " ON CONFLICT DO NOTHING");
  auto add_item = db.prepare(
      "INSERT INTO bucket_items(place, item, expires) SELECT place, ?4, ?5 FROM bucket_members"
      " WHERE bucket = ?1 AND kind = ?2 AND id = ?3");
  auto take = db.prepare(
      "DELETE FROM bucket_members WHERE bucket = ?1 AND kind = ?2 AND id = ?3 RETURNING place");
  auto take_item = db.prepare("DELETE FROM bucket_items WHERE place = ?1");
  auto size = db.prepare(
      "INSERT INTO bucket_sizes(bucket, bytes) VALUES (?1, ?2) "
      "ON CONFLICT(bucket) DO UPDATE SET bytes = bucket_sizes.bytes + excluded.bytes");
  auto empty = db.prepare("DELETE FROM bucket_sizes WHERE bucket = ?1 AND bytes <= 0");
  for (auto* statement : {&add, &add_item, &take, &take_item, &size, &empty}) {
    if (!*statement) return std::unexpected(statement->error());
  }
  const auto bytes = std::int64_t(item.bucket_json.size() + 1) * sign;
  for (std::uint32_t bucket : bucketsTouched(item.scopes, bits)) {
    if (sign > 0) {
      add->reset();
      add->bind(1, std::int64_t(bucket)).bind(2, item.kind).bind(3, item.id);
      if (auto ok = add->run(); !ok) return ok;
      if (db.changes() == 0) continue;
      add_item->reset();
      add_item->bind(1, std::int64_t(bucket)).bind(2, item.kind).bind(3, item.id);
      // A key's JSON is its row's record, read from there (schema 10).
      add_item->bind(4, item.kind == "key" ? std::string_view("") : item.bucket_json);
      if (item.expires)
        add_item->bind(5, unixSeconds(*item.expires));
      else
        add_item->bindNull(5);
      if (auto ok = add_item->run(); !ok) return ok;
    } else {
      take->reset();
      take->bind(1, std::int64_t(bucket)).bind(2, item.kind).bind(3, item.id);
      auto row = take->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) continue;
      const std::int64_t place = take->integer(0);
      if (auto rest = take->step(); !rest) return std::unexpected(rest.error());
      take_item->reset();
      if (auto ok = take_item->bind(1, place).run(); !ok) return ok;
    }
    size->reset();
    if (auto added = size->bind(1, std::int64_t(bucket)).bind(2, bytes).run(); !added) {
      return added;
    }
    if (sign < 0) {
      empty->reset();
      if (auto dropped = empty->bind(1, std::int64_t(bucket)).run(); !dropped) return dropped;
    }
  }
  return {};
}

struct Change {
  std::string_view op;
  std::string_view reason;
  std::string_view detail;
  std::string_view body;
};

Result<std::int64_t> append(Database& db, const FeedItem& item, const Change& change, Instant now) {
  auto state = readState(db);
  if (!state) return std::unexpected(state.error());
  const bool wide = isWide(item.scopes, state->wide_threshold);
  const Digest term = digestTerm(item.kind, item.id);
  xorInto(state->digest, term);
  if (wide) xorInto(state->wide_digest, term);
  const std::int64_t seq = ++state->sequence;

  auto insert = db.prepare(
      "INSERT INTO feed(seq, kind, id, op, reason, detail, body, wide, at, digest, wide_digest) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  if (!insert) return std::unexpected(insert.error());
  insert->bind(1, seq).bind(2, item.kind).bind(3, item.id).bind(4, change.op);
  for (auto [index, text] : {std::pair{5, change.reason}, {6, change.detail}, {7, change.body}}) {
    if (text.empty())
      insert->bindNull(index);
    else
      insert->bind(index, text);
  }
  insert->bind(8, std::int64_t(wide)).bind(9, unixSeconds(now));
  insert->bindBlob(10, digestBytes(state->digest)).bindBlob(11, digestBytes(state->wide_digest));
  if (auto ok = insert->run(); !ok) return std::unexpected(ok.error());
  if (auto ok = writeState(db, *state); !ok) return std::unexpected(ok.error());

  const bool put = change.op == "put";
  if (!wide) {
    if (auto ok = indexBuckets(db, item, state->bucket_bits, put ? 1 : -1); !ok) {
      return std::unexpected(ok.error());
    }
  }
  if (put && wide) {
    if (auto ok = setColumn(db, item.kind, "wide", 1, item.id); !ok) {
      return std::unexpected(ok.error());
    }
  }
  if (!put && item.kind != "spc") {
    if (auto ok = setColumn(db, item.kind, "removed", seq, item.id); !ok) {
      return std::unexpected(ok.error());
    }
  }
  return seq;
}

}  // namespace

HeldFeedHead::HeldFeedHead(Database& db) : db_(db) { db_.kept(kHoldHead) = true; }

HeldFeedHead::~HeldFeedHead() {
  db_.kept(kHoldHead).reset();
  // A head never written belongs to a transaction that did not commit.
  const auto* kept = std::any_cast<KeptHead>(&db_.kept(kKeptHead));
  if (kept && kept->unwritten) db_.kept(kKeptHead).reset();
}

Result<void> HeldFeedHead::write() {
  auto* kept = std::any_cast<KeptHead>(&db_.kept(kKeptHead));
  if (!kept || !kept->unwritten) return {};
  // Rolled back to a savepoint since: what it holds was undone.
  if (kept->epoch != db_.transactionEpoch()) {
    return fail(ErrorCode::kUnavailable, "the feed's head held for a batch was rolled back");
  }
  const FeedState state = kept->state;
  return writeHeadRow(db_, state);
}

std::string adItemJson(std::string_view id, std::string_view jws) {
  return nlohmann::json{{"id", id}, {"jws", jws}}.dump();
}

std::string spcItemJson(std::string_view scope, std::string_view spc) {
  return nlohmann::json{{"scope", scope}, {"spc", spc}}.dump();
}

Result<void> numberFeedAfter(Database& db, std::int64_t sequence) {
  db.kept(kKeptHead).reset();
  auto update = db.prepare(
      "UPDATE feed_state SET"
      " sequence = CASE WHEN sequence > ?1 THEN sequence ELSE ?1 + 1 END,"
      " pruned_through = CASE WHEN pruned_through > ?1 THEN pruned_through ELSE ?1 + 1 END");
  if (!update) return std::unexpected(update.error());
  return update->bind(1, sequence).run();
}

Result<FeedPosition> readFeedPosition(Database& db) {
  auto select = db.prepare("SELECT sequence, pruned_through FROM feed_state");
  if (!select) return std::unexpected(select.error());
  auto row = select->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(ErrorCode::kUnavailable, "the database has no feed state");
  return FeedPosition{select->integer(0), select->integer(1)};
}

Result<std::int64_t> feedPut(Database& db, const FeedItem& item, std::string_view body,
                             Instant now) {
  return append(db, item, {"put", "", "", body}, now);
}

Result<std::int64_t> feedRemove(Database& db, const FeedItem& item, std::string_view reason,
                                std::string_view detail, Instant now) {
  return append(db, item, {"remove", reason, detail, ""}, now);
}

Result<FeedItem> storedFeedItem(Database& db, std::string_view kind, const std::string& id) {
  FeedItem item{kind, id, {}, "", std::nullopt};
  if (kind == "key") {
    auto select = db.prepare("SELECT scope, record, expires FROM keys WHERE id = ?1");
    if (!select) return std::unexpected(select.error());
    auto row = select->bind(1, id).step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return fail(ErrorCode::kNotFound, "no key with id " + id);
    item.scopes = scopesFromText(select->text(0));
    item.bucket_json = select->text(1);
    item.expires = fromUnix(select->integer(2));
    return item;
  }
  if (kind == "ad") {
    auto select = db.prepare("SELECT jws, expires FROM ads WHERE id = ?1");
    if (!select) return std::unexpected(select.error());
    auto row = select->bind(1, id).step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return fail(ErrorCode::kNotFound, "no advertisement with id " + id);
    item.bucket_json = adItemJson(id, select->text(0));
    item.expires = fromUnix(select->integer(1));
    auto scopes = db.prepare(
        "SELECT DISTINCT scope FROM ad_blocks WHERE ad_id = ?1 "
        "UNION SELECT '0-' || spc FROM ad_spcs WHERE ad_id = ?1");
    if (!scopes) return std::unexpected(scopes.error());
    scopes->bind(1, id);
    for (;;) {
      auto next = scopes->step();
      if (!next) return std::unexpected(next.error());
      if (!*next) break;
      if (auto scope = TnScope::parse(scopes->text(0))) item.scopes.push_back(std::move(*scope));
    }
    return item;
  }
  auto select = db.prepare("SELECT spc FROM spc_map WHERE scope = ?1");
  if (!select) return std::unexpected(select.error());
  auto row = select->bind(1, id).step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(ErrorCode::kNotFound, "no SPC-map entry for " + id);
  auto scope = TnScope::parse(id);
  if (!scope) return std::unexpected(scope.error());
  item.scopes.push_back(std::move(*scope));
  item.bucket_json = spcItemJson(id, select->text(0));
  return item;
}

Result<bool> removeFromFeed(Database& db, std::string_view kind, const std::string& id,
                            std::string_view reason, std::string_view detail, Instant now) {
  auto [table, key] = tableOf(kind);
  std::string live_column = kind == "spc" ? "1" : "removed IS NULL";
  auto live = db.prepare("SELECT " + live_column + " FROM " + table + " WHERE " + key + " = ?1");
  if (!live) return std::unexpected(live.error());
  auto row = live->bind(1, id).step();
  if (!row) return std::unexpected(row.error());
  if (!*row || live->integer(0) == 0) return false;
  live->reset();
  auto item = storedFeedItem(db, kind, id);
  if (!item) return std::unexpected(item.error());
  auto seq = feedRemove(db, *item, reason, detail, now);
  if (!seq) return std::unexpected(seq.error());
  return true;
}

Result<void> prepareFeed(Database& db, const FeedSettings& settings,
                         const std::function<void(std::size_t, std::size_t)>& progress) {
  auto state = readState(db);
  if (!state) return std::unexpected(state.error());
  if (state->bucket_bits == settings.bucket_bits &&
      state->wide_threshold == settings.wide_threshold) {
    return {};
  }
  // Every live record, by kind; counted first so progress can say how far.
  constexpr const char* kLive[][2] = {
      {"key", "SELECT id FROM keys WHERE removed IS NULL"},
      {"ad", "SELECT id FROM ads WHERE removed IS NULL"},
      {"spc", "SELECT scope FROM spc_map"},
  };
  std::vector<std::pair<std::string_view, std::string>> records;
  for (const auto& [kind, sql] : kLive) {
    auto select = db.prepare(sql);
    if (!select) return std::unexpected(select.error());
    for (;;) {
      auto row = select->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      records.emplace_back(kind, select->text(0));
    }
  }
  for (const char* sql :
       {"DELETE FROM feed", "DELETE FROM bucket_members", "DELETE FROM bucket_items",
        "DELETE FROM bucket_sizes", "UPDATE keys SET wide = 0", "UPDATE ads SET wide = 0",
        "UPDATE spc_map SET wide = 0"}) {
    if (auto ok = db.execute(sql); !ok) return ok;
  }
  FeedState rebuilt{state->sequence, {}, {}, settings.bucket_bits, settings.wide_threshold};
  std::size_t done = 0;
  for (const auto& [kind, id] : records) {
    auto item = storedFeedItem(db, kind, id);
    if (!item) return std::unexpected(item.error());
    const bool wide = isWide(item->scopes, settings.wide_threshold);
    const Digest term = digestTerm(kind, id);
    xorInto(rebuilt.digest, term);
    if (wide) {
      xorInto(rebuilt.wide_digest, term);
      if (auto ok = setColumn(db, kind, "wide", 1, id); !ok) return ok;
    } else if (auto ok = indexBuckets(db, *item, settings.bucket_bits, 1); !ok) {
      return ok;
    }
    if (++done % 10000 == 0 && progress) progress(done, records.size());
  }
  if (progress) progress(done, records.size());
  if (auto ok = writeState(db, rebuilt); !ok) return ok;
  db.kept(kKeptHead).reset();  // its settings change below
  auto settle = db.prepare(
      "UPDATE feed_state SET pruned_through = sequence, bucket_bits = ?1, wide_threshold = ?2");
  if (!settle) return std::unexpected(settle.error());
  return settle->bind(1, std::int64_t(settings.bucket_bits))
      .bind(2, std::int64_t(settings.wide_threshold))
      .run();
}

}  // namespace keydir
