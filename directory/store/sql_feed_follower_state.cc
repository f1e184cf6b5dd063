// SqlFeedStore's follower side: how far a follower (the cache) has
// followed its upstream, the records it refused and the digest of them,
// and which records a snapshot taken over held ones named. The feed itself
// (changes, snapshots, buckets, sweeps) is sql_feed_store.cc.
#include "directory/store/feed_hashes.h"
#include "directory/store/sql_feed_store.h"

namespace keydir {
namespace {

// The digest of no records.
constexpr Digest kNoRecords{};

// Runs `sql` with text binds ?1.. and no rows.
Result<void> runWith(Database& db, const char* sql, std::initializer_list<std::string_view> texts) {
  auto statement = db.prepare(sql);
  if (!statement) return std::unexpected(statement.error());
  int index = 1;
  for (std::string_view text : texts) statement->bind(index++, text);
  return statement->run();
}

// Whether `sql` with text binds returns a row.
Result<bool> existsWith(Database& db, const char* sql,
                        std::initializer_list<std::string_view> texts) {
  auto statement = db.prepare(sql);
  if (!statement) return std::unexpected(statement.error());
  int index = 1;
  for (std::string_view text : texts) statement->bind(index++, text);
  auto row = statement->step();
  if (!row) return std::unexpected(row.error());
  return *row;
}

Result<void> moveRefusedDigest(Database& db, std::string_view kind, std::string_view id) {
  auto select = db.prepare("SELECT refused_digest FROM follower_state");
  if (!select) return std::unexpected(select.error());
  auto row = select->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return {};
  Digest digest = digestFromBytes(select->text(0));
  select->reset();
  xorInto(digest, digestTerm(kind, id));
  auto update = db.prepare("UPDATE follower_state SET refused_digest = ?1");
  if (!update) return std::unexpected(update.error());
  return update->bindBlob(1, digestBytes(digest)).run();
}

// Adds or takes a refused record with `sql` (binds kind, id, reason); when
// a row changed, its term moves the refused digest in the same transaction.
Result<bool> changeRefused(ConnectionPool& pool, std::string_view kind, std::string_view id,
                           const char* sql, std::string_view reason) {
  auto db = pool.borrow();
  Transaction transaction(*db);
  if (auto ok = transaction.begun(); !ok) return std::unexpected(ok.error());
  if (auto ok = runWith(*db, sql, {kind, id, reason}); !ok) return std::unexpected(ok.error());
  if (db->changes() == 0) return false;
  if (auto moved = moveRefusedDigest(*db, kind, id); !moved) return std::unexpected(moved.error());
  if (auto done = transaction.commit(); !done) return std::unexpected(done.error());
  return true;
}

}  // namespace

Result<std::optional<FollowerState>> SqlFeedStore::followerState() {
  auto db = pool_.borrow();
  auto select = db->prepare("SELECT upstream, scope, sequence, refused_digest FROM follower_state");
  if (!select) return std::unexpected(select.error());
  auto row = select->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<FollowerState>();
  return std::optional<FollowerState>(FollowerState{select->text(0), select->text(1),
                                                    select->integer(2),
                                                    digestHex(digestFromBytes(select->text(3)))});
}

Result<void> SqlFeedStore::saveFollowerState(const FollowerState& state) {
  auto db = pool_.borrow();
  auto upsert = db->prepare(
      "INSERT INTO follower_state(id, upstream, scope, sequence, refused_digest) "
      "VALUES (1, ?1, ?2, ?3, ?4) ON CONFLICT(id) DO UPDATE SET "
      "upstream = excluded.upstream, scope = excluded.scope, sequence = excluded.sequence");
  if (!upsert) return std::unexpected(upsert.error());
  return upsert->bind(1, state.upstream)
      .bind(2, state.scope)
      .bind(3, state.sequence)
      .bindBlob(4, digestBytes(kNoRecords))
      .run();
}

Result<bool> SqlFeedStore::noteRefused(const std::string& kind, const std::string& id,
                                       const std::string& reason) {
  return changeRefused(pool_, kind, id,
                       "INSERT INTO follower_refused(kind, id, reason) "
                       "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                       reason);
}

Result<bool> SqlFeedStore::forgetRefused(const std::string& kind, const std::string& id) {
  return changeRefused(pool_, kind, id,
                       "DELETE FROM follower_refused WHERE kind = ?1 AND id = ?2 AND ?3 = ''", "");
}

Result<bool> SqlFeedStore::isRefused(const std::string& kind, const std::string& id) {
  auto db = pool_.borrow();
  return existsWith(*db, "SELECT 1 FROM follower_refused WHERE kind = ?1 AND id = ?2", {kind, id});
}

Result<bool> SqlFeedStore::holds(const std::string& kind, const std::string& id) {
  auto db = pool_.borrow();
  if (kind == "key") {
    return existsWith(*db, "SELECT 1 FROM keys WHERE id = ?1 AND removed IS NULL", {id});
  }
  if (kind == "ad") {
    return existsWith(*db, "SELECT 1 FROM ads WHERE id = ?1 AND removed IS NULL", {id});
  }
  return existsWith(*db, "SELECT 1 FROM spc_map WHERE scope = ?1", {id});
}

Result<void> SqlFeedStore::clearSeen() {
  auto db = pool_.borrow();
  return db->execute("DELETE FROM follower_snapshot_seen");
}

Result<void> SqlFeedStore::markSeen(
    const std::vector<std::pair<std::string, std::string>>& records) {
  auto db = pool_.borrow();
  Transaction transaction(*db);
  if (auto ok = transaction.begun(); !ok) return ok;
  for (const auto& [kind, id] : records) {
    auto ok = runWith(*db,
                      "INSERT INTO follower_snapshot_seen(kind, id) VALUES (?1, ?2)"
                      " ON CONFLICT DO NOTHING",
                      {kind, id});
    if (!ok) return ok;
  }
  return transaction.commit();
}

Result<std::vector<std::pair<std::string, std::string>>> SqlFeedStore::heldButNotSeen(
    bool wide_only) {
  auto db = pool_.borrow();
  auto select = db->prepare(
      "SELECT 'key', id FROM keys WHERE removed IS NULL AND wide >= ?1 "
      "UNION ALL SELECT 'ad', id FROM ads WHERE removed IS NULL AND wide >= ?1 "
      "UNION ALL SELECT 'spc', scope FROM spc_map WHERE wide >= ?1 "
      "EXCEPT SELECT kind, id FROM follower_snapshot_seen");
  if (!select) return std::unexpected(select.error());
  select->bind(1, std::int64_t(wide_only ? 1 : 0));
  std::vector<std::pair<std::string, std::string>> unseen;
  for (;;) {
    auto row = select->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    unseen.emplace_back(select->text(0), select->text(1));
  }
  return unseen;
}

Result<void> SqlFeedStore::clearRefused() {
  auto db = pool_.borrow();
  Transaction transaction(*db);
  if (auto ok = transaction.begun(); !ok) return ok;
  if (auto ok = db->execute("DELETE FROM follower_refused"); !ok) return ok;
  auto clear = db->prepare("UPDATE follower_state SET refused_digest = ?1");
  if (!clear) return std::unexpected(clear.error());
  if (auto ok = clear->bindBlob(1, digestBytes(kNoRecords)).run(); !ok) return ok;
  return transaction.commit();
}

}  // namespace keydir
