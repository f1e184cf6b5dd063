#include "cache/cache_store.h"

#include <openssl/rand.h>

#include "certs/hex.h"

namespace keydir {
namespace {

constexpr std::string_view kSchema = R"(
CREATE TABLE IF NOT EXISTS cache_state (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)";

Result<std::optional<std::string>> readState(Database& db, std::string_view name) {
  auto select = db.prepare("SELECT value FROM cache_state WHERE name = ?");
  if (!select) return std::unexpected(select.error());
  select->bind(1, name);
  auto row = select->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::nullopt;
  return select->text(0);
}

Result<void> writeState(Database& db, std::string_view name, std::string_view value) {
  auto upsert = db.prepare(
      "INSERT INTO cache_state (name, value) VALUES (?, ?) "
      "ON CONFLICT (name) DO UPDATE SET value = excluded.value");
  if (!upsert) return std::unexpected(upsert.error());
  upsert->bind(1, name).bind(2, value);
  auto done = upsert->step();
  if (!done) return std::unexpected(done.error());
  return {};
}

}  // namespace

Result<std::unique_ptr<CacheStore>> CacheStore::open(ConnectionPool& pool) {
  auto db = pool.borrow();
  if (auto ok = db->execute(kSchema); !ok) return std::unexpected(ok.error());
  Transaction transaction(*db);
  auto secret = readState(*db, "secret");
  if (!secret) return std::unexpected(secret.error());
  if (!*secret) {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
      return fail(ErrorCode::kUnavailable, "OpenSSL could not make the cache's secret");
    }
    std::string hex = hexEncode(std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
    if (auto ok = writeState(*db, "secret", hex); !ok) return std::unexpected(ok.error());
    *secret = std::move(hex);
  }
  if (auto ok = transaction.commit(); !ok) return std::unexpected(ok.error());
  return std::unique_ptr<CacheStore>(new CacheStore(pool, std::move(**secret)));
}

Result<std::optional<Instant>> CacheStore::lastGoodPoll() {
  auto db = pool_.borrow();
  auto value = readState(*db, "last_good_poll");
  if (!value) return std::unexpected(value.error());
  if (!*value) return std::nullopt;
  return Instant(std::chrono::seconds(std::stoll(**value)));
}

Result<void> CacheStore::setLastGoodPoll(Instant at) {
  auto db = pool_.borrow();
  return writeState(
      *db, "last_good_poll",
      std::to_string(
          std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count()));
}

}  // namespace keydir
