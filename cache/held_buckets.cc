#include "cache/held_buckets.h"

namespace keydir {
namespace {

constexpr std::string_view kSchema = R"(
CREATE TABLE IF NOT EXISTS cache_buckets (
  bucket INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL,
  expires INTEGER NOT NULL         -- unix seconds
);
CREATE TABLE IF NOT EXISTS cache_bucket_members (
  bucket INTEGER NOT NULL,
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  PRIMARY KEY (bucket, kind, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cache_bucket_members_by_record ON cache_bucket_members(kind, id);
)";

std::int64_t unixSeconds(Instant at) { return at.time_since_epoch().count(); }

}  // namespace

Result<std::unique_ptr<HeldBuckets>> HeldBuckets::open(ConnectionPool& pool) {
  auto db = pool.borrow();
  if (auto ok = db->execute(kSchema); !ok) return std::unexpected(ok.error());
  return std::unique_ptr<HeldBuckets>(new HeldBuckets(pool));
}

Result<std::vector<HeldBucket>> HeldBuckets::all() {
  auto db = pool_.borrow();
  auto select = db->prepare("SELECT bucket, seq, expires FROM cache_buckets");
  if (!select) return std::unexpected(select.error());
  std::vector<HeldBucket> held;
  for (;;) {
    auto row = select->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    held.push_back({std::uint32_t(select->integer(0)), select->integer(1),
                    Instant(std::chrono::seconds(select->integer(2)))});
  }
  return held;
}

Result<std::vector<RecordName>> HeldBuckets::hold(const HeldBucket& held,
                                                  const std::vector<RecordName>& members) {
  auto db = pool_.borrow();
  Transaction transaction(*db);
  if (auto ok = transaction.begun(); !ok) return std::unexpected(ok.error());
  // What it named before, to find what nothing names any more.
  std::vector<RecordName> before;
  {
    auto select = db->prepare("SELECT kind, id FROM cache_bucket_members WHERE bucket = ?1");
    if (!select) return std::unexpected(select.error());
    select->bind(1, std::int64_t(held.bucket));
    for (;;) {
      auto row = select->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      before.emplace_back(select->text(0), select->text(1));
    }
  }
  auto forget = db->prepare("DELETE FROM cache_bucket_members WHERE bucket = ?1");
  if (!forget) return std::unexpected(forget.error());
  forget->bind(1, std::int64_t(held.bucket));
  if (auto done = forget->step(); !done) return std::unexpected(done.error());
  auto upsert = db->prepare(
      "INSERT INTO cache_buckets (bucket, seq, expires) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (bucket) DO UPDATE SET seq = excluded.seq, expires = excluded.expires");
  if (!upsert) return std::unexpected(upsert.error());
  upsert->bind(1, std::int64_t(held.bucket)).bind(2, held.seq).bind(3, unixSeconds(held.expires));
  if (auto done = upsert->step(); !done) return std::unexpected(done.error());
  for (const auto& [kind, id] : members) {
    auto insert = db->prepare(
        "INSERT OR IGNORE INTO cache_bucket_members (bucket, kind, id) VALUES (?1, ?2, ?3)");
    if (!insert) return std::unexpected(insert.error());
    insert->bind(1, std::int64_t(held.bucket)).bind(2, kind).bind(3, id);
    if (auto done = insert->step(); !done) return std::unexpected(done.error());
  }
  std::vector<RecordName> orphaned;
  for (const auto& [kind, id] : before) {
    auto named = db->prepare("SELECT 1 FROM cache_bucket_members WHERE kind = ?1 AND id = ?2");
    if (!named) return std::unexpected(named.error());
    named->bind(1, kind).bind(2, id);
    auto row = named->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) orphaned.emplace_back(kind, id);
  }
  if (auto ok = transaction.commit(); !ok) return std::unexpected(ok.error());
  return orphaned;
}

}  // namespace keydir
