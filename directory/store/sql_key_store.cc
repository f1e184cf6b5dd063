#include "directory/store/sql_key_store.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "certs/hex.h"
#include "certs/pem.h"
#include "directory/store/feed_log.h"
#include "directory/store/key_scope_rows.h"
#include "directory/store/postgres.h"
#include "directory/store/schema.h"
#include "directory/store/spc_entries.h"
#include "directory/store/sql_rows.h"
#include "directory/store/tn_query.h"

namespace keydir {
namespace {

constexpr std::int64_t kSpcSpecificity = std::numeric_limits<std::int64_t>::max();
constexpr auto kJtiMemory =
    std::chrono::hours(1);  // revocations older than 300 s are refused anyway

// Reads columns id, record, expires, scope, revoked from the current row.
StoredKey readKey(const Statement& row) {
  StoredKey key;
  key.id = row.text(0);
  key.record = row.text(1);
  key.expires = fromUnix(row.integer(2));
  key.scopes = scopesFromText(row.text(3));
  if (!row.isNull(4)) key.revoked = fromUnix(row.integer(4));
  return key;
}

}  // namespace

std::string chainAddress(const std::vector<std::string>& chain_der) {
  std::string all;
  for (const auto& der : chain_der) all += der;
  return hexEncode(sha256(all));
}

Result<std::unique_ptr<SqlKeyStore>> SqlKeyStore::open(
    const std::string& target, const PoolOptions& pool_options,
    const std::optional<FeedSettings>& feed,
    const std::function<void(std::size_t, std::size_t)>& progress,
    const std::function<void(const std::string&)>& say) {
  auto pool = ConnectionPool::open(target, pool_options);
  if (!pool) return std::unexpected(pool.error());
  {
    auto db = (*pool)->borrow();
    if (auto ok = migrateSchema(*db, say); !ok)
      return failWithContext(ok.error(), redactedTarget(target));
    Transaction transaction(*db);
    if (auto ok = transaction.begun(); !ok) return std::unexpected(ok.error());
    auto settings = db->prepare("SELECT bucket_bits, wide_threshold FROM feed_state");
    if (!settings) return std::unexpected(settings.error());
    auto row = settings->step();
    if (!row) return std::unexpected(row.error());
    // A file from before the feed has no settings yet: the defaults.
    FeedSettings kept;
    if (*row && settings->integer(0) != 0) {
      kept = {int(settings->integer(0)), settings->integer(1)};
    }
    settings->reset();
    if (auto ok = prepareFeed(*db, feed.value_or(kept), progress); !ok) {
      return failWithContext(ok.error(), redactedTarget(target));
    }
    if (auto ok = transaction.commit(); !ok) return std::unexpected(ok.error());
  }
  std::unique_ptr<SqlKeyStore> store(new SqlKeyStore(std::move(*pool)));
  return store;
}

namespace {

// The body of one insert, inside a transaction the caller holds. A refusal
// (kTooManyKeys) happens before anything is written for this key.
// `storage_failed` tells a broken database apart from a refusal.
Result<InsertOutcome> insertWithin(Database& db, const NewKey& key, Instant now,
                                   std::size_t max_active, bool* storage_failed) {
  *storage_failed = true;
  // Whether the key is there, and how many live keys its signer has for
  // its scope, in one statement: on PostgreSQL each is a round trip.
  std::string scope = scopeText(key.scopes);
  auto existing = db.prepare(
      "SELECT (SELECT COUNT(*) FROM keys WHERE id = ?1),"
      " (SELECT COUNT(*) FROM keys WHERE signer = ?2 AND scope = ?3"
      " AND revoked IS NULL AND expires > ?4)");
  if (!existing) return std::unexpected(existing.error());
  existing->bind(1, key.id).bind(2, key.signer).bind(3, scope).bind(4, unixSeconds(now));
  if (auto row = existing->step(); !row) return std::unexpected(row.error());
  if (existing->integer(0) > 0) {
    *storage_failed = false;
    return InsertOutcome::kAlreadyPresent;
  }
  const std::int64_t active = existing->integer(1);
  existing->reset();
  if (std::size_t(active) >= max_active) {
    *storage_failed = false;
    return fail(ErrorCode::kTooManyKeys,
                "this certificate's key already has " + std::to_string(active) +
                    " live keys for scope " + scope + "; the limit is " +
                    std::to_string(max_active) + ". Revoke one or let it expire first");
  }
  std::string address = chainAddress(key.chain);
  if (auto ok = storeChain(db, key.chain, address); !ok) return std::unexpected(ok.error());
  auto insert = db.prepare(
      "INSERT INTO keys(id, dc, expires, signer, scope, chain, record, created) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!insert) return std::unexpected(insert.error());
  insert->bind(1, key.id).bindBlob(2, key.dc).bind(3, unixSeconds(key.expires));
  insert->bind(4, key.signer).bind(5, scope).bind(6, address).bind(7, key.record);
  insert->bind(8, unixSeconds(now));
  if (auto ok = insert->run(); !ok) return std::unexpected(ok.error());
  if (auto ok = storeKeyScopes(db, key.id, key.scopes); !ok) return std::unexpected(ok.error());
  FeedItem item{"key", key.id, key.scopes, key.record, key.expires};
  if (auto ok = feedPut(db, item, "", now); !ok) return std::unexpected(ok.error());
  *storage_failed = false;
  return InsertOutcome::kInserted;
}

}  // namespace

Result<InsertOutcome> SqlKeyStore::insertKey(const NewKey& key, Instant now,
                                             std::size_t max_active) {
  auto db = pool_->borrow();
  Transaction transaction(*db);
  if (auto ok = transaction.begun(); !ok) return std::unexpected(ok.error());
  bool storage_failed = false;
  auto outcome = insertWithin(*db, key, now, max_active, &storage_failed);
  if (!outcome) return outcome;
  if (auto ok = transaction.commit(); !ok) return std::unexpected(ok.error());
  return outcome;
}

Result<std::vector<Result<InsertOutcome>>> SqlKeyStore::insertKeys(const std::vector<NewKey>& keys,
                                                                   Instant now,
                                                                   std::size_t max_active) {
  auto db = pool_->borrow();
  Transaction transaction(*db);
  if (auto ok = transaction.begun(); !ok) return std::unexpected(ok.error());
  HeldFeedHead head(*db);
  std::vector<Result<InsertOutcome>> outcomes;
  outcomes.reserve(keys.size());
  for (const auto& key : keys) {
    bool storage_failed = false;
    auto outcome = insertWithin(*db, key, now, max_active, &storage_failed);
    if (!outcome && storage_failed) return std::unexpected(outcome.error());
    outcomes.push_back(std::move(outcome));
  }
  if (auto ok = head.write(); !ok) return std::unexpected(ok.error());
  if (auto ok = transaction.commit(); !ok) return std::unexpected(ok.error());
  return outcomes;
}

Result<std::optional<StoredKey>> SqlKeyStore::findKey(const std::string& id) {
  auto db = pool_->borrow();
  auto statement =
      db->prepare("SELECT id, record, expires, scope, revoked FROM keys WHERE id = ?1");
  if (!statement) return std::unexpected(statement.error());
  auto row = statement->bind(1, id).step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<StoredKey>();
  return std::optional<StoredKey>(readKey(*statement));
}

Result<std::int64_t> SqlKeyStore::lastChange() {
  auto db = pool_->borrow();
  auto position = readFeedPosition(*db);
  if (!position) return std::unexpected(position.error());
  return position->sequence;
}

Result<void> SqlKeyStore::numberChangesAfter(std::int64_t sequence) {
  auto db = pool_->borrow();
  return numberFeedAfter(*db, sequence);
}

Result<ChangedScopes> SqlKeyStore::scopesChangedSince(std::int64_t since, std::size_t limit) {
  auto db = pool_->borrow();
  Transaction snapshot(*db, TransactionKind::kRead);
  if (auto ok = snapshot.begun(); !ok) return std::unexpected(ok.error());
  auto position = readFeedPosition(*db);
  if (!position) return std::unexpected(position.error());
  ChangedScopes changed;
  changed.to = position->sequence;
  if (since < position->pruned_through) {
    changed.everything = true;
    return changed;
  }
  auto select = db->prepare(
      "SELECT f.kind, k.scope FROM feed f LEFT JOIN keys k ON f.kind = 'key' AND k.id = f.id"
      " WHERE f.seq > ?1 AND f.seq <= ?2 ORDER BY f.seq LIMIT ?3");
  if (!select) return std::unexpected(select.error());
  select->bind(1, since).bind(2, changed.to).bind(3, std::int64_t(limit + 1));
  std::size_t rows = 0;
  for (;;) {
    auto next = select->step();
    if (!next) return std::unexpected(next.error());
    if (!*next) break;
    const std::string kind = select->text(0);
    if (++rows > limit || kind == "spc") {
      changed.everything = true;
      break;
    }
    if (kind == "ad") changed.ads = true;
    if (kind != "key") continue;
    for (auto& scope : scopesFromText(select->text(1))) {
      if (scope.kind() == TnScope::Kind::kSpc) changed.everything = true;
      changed.scopes.push_back(std::move(scope));
    }
  }
  if (changed.everything) changed.scopes.clear();
  return changed;
}

Result<std::vector<std::string>> SqlKeyStore::ownNumbersAfter(const std::string& after,
                                                              std::size_t limit) {
  auto db = pool_->borrow();
  // A scope of one number is stored as one block, the number itself,
  // keyed "<tn>/<digits>" (PrefixBlock::key), with specificity 1. The
  // block index alone, in its own order: joining each block to its key to
  // leave out revoked ones read a random page of `keys` a number, over a
  // quarter of a pass at 10M keys, and the answer reads that key anyway.
  auto select = db->prepare(
      "SELECT DISTINCT block FROM key_blocks WHERE block > ?1 AND specificity = 1"
      " ORDER BY block LIMIT ?2");
  if (!select) return std::unexpected(select.error());
  const std::string after_block = after.empty() ? "" : PrefixBlock{after, after.size()}.key();
  select->bind(1, after_block).bind(2, std::int64_t(limit));
  std::vector<std::string> numbers;
  for (;;) {
    auto row = select->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    std::string block = select->text(0);
    numbers.push_back(block.substr(0, block.find('/')));
  }
  return numbers;
}

Result<std::vector<StoredKey>> SqlKeyStore::keysForTn(const std::string& tn, Instant now,
                                                      std::int64_t* as_of) {
  auto db = pool_->borrow();
  // The feed's head comes with the keys, from the same snapshot, and alone
  // when no key holds the number: the left join keeps its one row.
  std::vector<StoredKey> keys;
  auto read = TnQuery::forEachRow(
      *db, "key", tn, now,
      [](const TnQuery& query) {
        return "SELECT k.id, k.record, k.expires, k.scope, k.revoked, f.sequence, " +
               TnQuery::shapeCount() +
               " FROM feed_state f LEFT JOIN (SELECT k.id, k.record, k.expires, k.scope, k.revoked,"
               " MIN(x.spec) AS spec FROM (SELECT key_id, specificity AS spec FROM key_blocks"
               " WHERE block IN " +
               query.blocks() + " UNION ALL SELECT key_id, " + std::to_string(kSpcSpecificity) +
               " FROM key_spcs WHERE spc = " + query.spc() +
               ") x JOIN keys k ON k.id = x.key_id WHERE k.expires > " + query.now() +
               " AND k.revoked IS NULL AND k.removed IS NULL GROUP BY k.id) k ON 1 = 1"
               " ORDER BY k.spec, k.id";
      },
      6, [&] { keys.clear(); },
      [&](const Statement& row) -> Result<void> {
        if (as_of) *as_of = row.integer(5);
        if (!row.isNull(0)) keys.push_back(readKey(row));
        return {};
      });
  if (!read) return std::unexpected(read.error());
  return keys;
}

Result<StoredKey> SqlKeyStore::revokeKey(const std::string& id, const std::string& jti,
                                         std::string_view proof, Instant now) {
  auto db = pool_->borrow();
  Transaction transaction(*db);
  if (auto ok = transaction.begun(); !ok) return std::unexpected(ok.error());
  auto select = db->prepare("SELECT id, record, expires, scope, revoked FROM keys WHERE id = ?1");
  if (!select) return std::unexpected(select.error());
  auto row = select->bind(1, id).step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(ErrorCode::kNotFound, "no key with id " + id);
  StoredKey key = readKey(*select);

  auto forget = db->prepare("DELETE FROM revocation_jtis WHERE seen < ?1");
  if (!forget) return std::unexpected(forget.error());
  if (auto ok = forget->bind(1, unixSeconds(now - kJtiMemory)).run(); !ok) {
    return std::unexpected(ok.error());
  }
  auto spend =
      db->prepare("INSERT INTO revocation_jtis(jti, seen) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
  if (!spend) return std::unexpected(spend.error());
  if (auto ok = spend->bind(1, jti).bind(2, unixSeconds(now)).run(); !ok) {
    return std::unexpected(ok.error());
  }
  if (db->changes() == 0) {
    return fail(ErrorCode::kNotAuthorized, "revocation jti '" + jti +
                                               "' was used before; sign a new revocation with a "
                                               "fresh jti");
  }
  if (!key.revoked) {
    auto update = db->prepare("UPDATE keys SET revoked = ?1 WHERE id = ?2");
    if (!update) return std::unexpected(update.error());
    if (auto ok = update->bind(1, unixSeconds(now)).bind(2, id).run(); !ok) {
      return std::unexpected(ok.error());
    }
    // A key that already left the feed (expired, withdrawn) is revoked
    // without a second removal.
    if (auto ok = removeFromFeed(*db, "key", id, "revoked", proof, now); !ok) {
      return std::unexpected(ok.error());
    }
    key.revoked = now;
  }
  if (auto ok = transaction.commit(); !ok) return std::unexpected(ok.error());
  return key;
}

Result<std::optional<std::string>> SqlKeyStore::certificatesPem(const std::string& sha256_hex) {
  auto db = pool_->borrow();
  std::vector<std::string> hashes;
  auto chain = db->prepare("SELECT cert_hashes FROM chains WHERE sha256 = ?1");
  if (!chain) return std::unexpected(chain.error());
  auto row = chain->bind(1, sha256_hex).step();
  if (!row) return std::unexpected(row.error());
  if (*row) {
    hashes = nlohmann::json::parse(chain->text(0)).get<std::vector<std::string>>();
  } else {
    hashes.push_back(sha256_hex);
  }
  auto cert = db->prepare("SELECT der FROM certs WHERE sha256 = ?1");
  if (!cert) return std::unexpected(cert.error());
  std::string pem;
  for (const auto& hash : hashes) {
    cert->reset();
    auto found = cert->bind(1, hash).step();
    if (!found) return std::unexpected(found.error());
    if (!*found) return std::optional<std::string>();
    auto certificate = certificateFromDer(cert->text(0));
    if (!certificate) return std::unexpected(certificate.error());
    pem += certificatePem(certificate->get());
  }
  return std::optional<std::string>(pem);
}

Result<std::size_t> SqlKeyStore::importSpcMap(const std::vector<SpcAssignment>& entries,
                                              const std::function<void(std::size_t)>& progress,
                                              bool replace_all) {
  auto db = pool_->borrow();
  Transaction transaction(*db);
  if (auto ok = transaction.begun(); !ok) return std::unexpected(ok.error());
  const Instant now = nowInstant();
  std::set<std::string> named;
  std::size_t done = 0;
  for (const auto& entry : entries) {
    if (auto ok = putSpcEntry(*db, entry, now); !ok) return std::unexpected(ok.error());
    if (replace_all) named.insert(entry.scope.toString());
    if (++done % 10000 == 0 && progress) progress(done);
  }
  if (replace_all) {
    std::vector<std::string> absent;
    auto all = db->prepare("SELECT scope FROM spc_map");
    if (!all) return std::unexpected(all.error());
    for (;;) {
      auto row = all->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      if (!named.contains(all->text(0))) absent.push_back(all->text(0));
    }
    all->reset();
    for (const auto& scope : absent) {
      if (auto ok = dropSpcEntry(*db, scope, "not in the SPC map imported", now); !ok) {
        return std::unexpected(ok.error());
      }
    }
  }
  if (auto ok = transaction.commit(); !ok) return std::unexpected(ok.error());
  if (progress) progress(done);
  return done;
}

Result<void> SqlKeyStore::ping() {
  try {
    auto db = pool_->borrow();
    auto statement = db->prepare("SELECT 1");
    if (!statement) return std::unexpected(statement.error());
    auto row = statement->step();
    if (!row) return std::unexpected(row.error());
    return {};
  } catch (const std::runtime_error& error) {
    return fail(ErrorCode::kUnavailable, error.what());  // the pool could open no connection
  }
}

Result<StoreCounts> SqlKeyStore::counts(Instant now) {
  auto db = pool_->borrow();
  StoreCounts counts;
  auto statement = db->prepare(
      "SELECT (SELECT sequence FROM feed_state),"
      " (SELECT COUNT(*) FROM keys" +
      db->indexedBy("keys_live_by_expiry") +
      "  WHERE revoked IS NULL AND removed IS NULL AND expires > ?1),"
      " (SELECT COUNT(*) FROM spc_map)");
  if (!statement) return std::unexpected(statement.error());
  auto row = statement->bind(1, unixSeconds(now)).step();
  if (!row) return std::unexpected(row.error());
  counts.sequence = statement->integer(0);
  counts.keys = statement->integer(1);
  counts.spc_entries = statement->integer(2);
  return counts;
}

}  // namespace keydir
