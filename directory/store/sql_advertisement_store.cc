#include "directory/store/sql_advertisement_store.h"

#include <limits>

#include "directory/store/block_shapes.h"
#include "directory/store/feed_log.h"
#include "directory/store/sql_rows.h"
#include "directory/store/tn_query.h"

namespace keydir {
namespace {

constexpr std::int64_t kSpcSpecificity = std::numeric_limits<std::int64_t>::max();

Result<void> indexEntries(Database& db, const NewAdvertisement& ad) {
  auto block = db.prepare(
      "INSERT INTO ad_blocks(block, ad_id, scope, uri, specificity) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING");
  auto spc =
      db.prepare("INSERT INTO ad_spcs(spc, ad_id, uri) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
  if (!block) return std::unexpected(block.error());
  if (!spc) return std::unexpected(spc.error());
  for (const auto& entry : ad.entries) {
    if (entry.scope.kind() == TnScope::Kind::kSpc) {
      spc->reset();
      if (auto ok = spc->bind(1, entry.scope.value()).bind(2, ad.id).bind(3, entry.uri).run(); !ok)
        return ok;
      continue;
    }
    std::string scope = entry.scope.toString();
    for (const auto& prefix : entry.scope.prefixBlocks()) {
      block->reset();
      block->bind(1, prefix.key()).bind(2, ad.id).bind(3, scope).bind(4, entry.uri);
      if (auto ok = block->bind(5, std::int64_t(entry.scope.count())).run(); !ok) return ok;
      if (auto ok = noteBlockShape(db, "ad", prefix); !ok) return ok;
    }
  }
  return {};
}

// A replaced advertisement stays readable by id, but out of every answer.
Result<void> retire(Database& db, const std::string& old_id, const std::string& new_id) {
  for (const char* sql :
       {"DELETE FROM ad_blocks WHERE ad_id = ?1", "DELETE FROM ad_spcs WHERE ad_id = ?1"}) {
    auto drop = db.prepare(sql);
    if (!drop) return std::unexpected(drop.error());
    if (auto ok = drop->bind(1, old_id).run(); !ok) return ok;
  }
  auto mark = db.prepare("UPDATE ads SET replaced_by = ?2 WHERE id = ?1");
  if (!mark) return std::unexpected(mark.error());
  return mark->bind(1, old_id).bind(2, new_id).run();
}

}  // namespace

Result<InsertOutcome> SqlAdvertisementStore::publishAdvertisement(const NewAdvertisement& ad,
                                                                  Instant now) {
  auto db = pool_.borrow();
  Transaction transaction(*db);
  if (auto ok = transaction.begun(); !ok) return std::unexpected(ok.error());
  auto existing = db->prepare("SELECT 1 FROM ads WHERE id = ?1");
  if (!existing) return std::unexpected(existing.error());
  auto found = existing->bind(1, ad.id).step();
  if (!found) return std::unexpected(found.error());
  if (*found) return InsertOutcome::kAlreadyPresent;

  auto current = db->prepare("SELECT id, iat FROM ads WHERE signer = ?1 AND replaced_by IS NULL");
  if (!current) return std::unexpected(current.error());
  auto has_current = current->bind(1, ad.signer).step();
  if (!has_current) return std::unexpected(has_current.error());
  std::optional<FeedItem> replaced;
  if (*has_current) {
    std::string current_id = current->text(0);
    Instant current_iat = fromUnix(current->integer(1));
    if (current_iat >= ad.iat) {
      return fail(ErrorCode::kExpired,
                  "this signer's current advertisement " + current_id + " has iat " +
                      rfc3339(current_iat) + ", not older than this one's " + rfc3339(ad.iat) +
                      "; only a newer advertisement replaces it: sign again with a later iat");
    }
    current->reset();
    // Read what the feed must take out before retiring drops its entries.
    auto in_feed = db->prepare("SELECT 1 FROM ads WHERE id = ?1 AND removed IS NULL");
    if (!in_feed) return std::unexpected(in_feed.error());
    auto live = in_feed->bind(1, current_id).step();
    if (!live) return std::unexpected(live.error());
    if (*live) {
      auto item = storedFeedItem(*db, "ad", current_id);
      if (!item) return std::unexpected(item.error());
      replaced = std::move(*item);
    }
    if (auto ok = retire(*db, current_id, ad.id); !ok) return std::unexpected(ok.error());
  }
  std::string address = chainAddress(ad.chain);
  if (auto ok = storeChain(*db, ad.chain, address); !ok) return std::unexpected(ok.error());
  auto insert = db->prepare(
      "INSERT INTO ads(id, signer, iat, exp, expires, jws, chain, created) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!insert) return std::unexpected(insert.error());
  insert->bind(1, ad.id).bind(2, ad.signer).bind(3, unixSeconds(ad.iat));
  if (ad.exp)
    insert->bind(4, unixSeconds(*ad.exp));
  else
    insert->bindNull(4);
  insert->bind(5, unixSeconds(ad.expires)).bind(6, ad.jws).bind(7, address);
  if (auto ok = insert->bind(8, unixSeconds(now)).run(); !ok) return std::unexpected(ok.error());
  if (auto ok = indexEntries(*db, ad); !ok) return std::unexpected(ok.error());
  // The newer one enters the feed before the older leaves it, so that a
  // follower holds the replacement when it is told of the replacing.
  FeedItem item{"ad", ad.id, {}, adItemJson(ad.id, ad.jws), ad.expires};
  for (const auto& entry : ad.entries) item.scopes.push_back(entry.scope);
  if (auto ok = feedPut(*db, item, "", now); !ok) return std::unexpected(ok.error());
  if (replaced) {
    if (auto ok = feedRemove(*db, *replaced, "replaced", ad.id, now); !ok) {
      return std::unexpected(ok.error());
    }
  }
  if (auto ok = transaction.commit(); !ok) return std::unexpected(ok.error());
  return InsertOutcome::kInserted;
}

Result<std::optional<StoredAdvertisement>> SqlAdvertisementStore::findAdvertisement(
    const std::string& id) {
  auto db = pool_.borrow();
  auto statement = db->prepare(
      "SELECT id, jws, signer, iat, exp, expires, chain, replaced_by FROM ads WHERE id = ?1");
  if (!statement) return std::unexpected(statement.error());
  auto row = statement->bind(1, id).step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<StoredAdvertisement>();
  StoredAdvertisement ad;
  ad.id = statement->text(0);
  ad.jws = statement->text(1);
  ad.signer = statement->text(2);
  ad.iat = fromUnix(statement->integer(3));
  if (!statement->isNull(4)) ad.exp = fromUnix(statement->integer(4));
  ad.expires = fromUnix(statement->integer(5));
  ad.chain_address = statement->text(6);
  if (!statement->isNull(7)) ad.replaced_by = statement->text(7);
  return std::optional<StoredAdvertisement>(std::move(ad));
}

Result<std::vector<StoredCpsEntry>> SqlAdvertisementStore::cpsForTn(const std::string& tn,
                                                                    Instant now) {
  auto db = pool_.borrow();
  // One row even when no advertisement holds the number, for the shapes' count.
  std::vector<StoredCpsEntry> entries;
  auto read = TnQuery::forEachRow(
      *db, "ad", tn, now,
      [](const TnQuery& query) {
        return "SELECT e.scope, e.uri, e.id, e.jws, e.expires, " + TnQuery::shapeCount() +
               " FROM feed_state f LEFT JOIN (SELECT x.scope, x.uri, a.id, a.jws, a.expires, x.spec"
               " FROM (SELECT ad_id, scope, uri, specificity AS spec FROM ad_blocks WHERE block "
               "IN " +
               query.blocks() + " UNION ALL SELECT ad_id, '0-' || spc, uri, " +
               std::to_string(kSpcSpecificity) + " FROM ad_spcs WHERE spc = " + query.spc() +
               ") x JOIN ads a ON a.id = x.ad_id WHERE a.expires > " + query.now() +
               " AND a.replaced_by IS NULL AND a.removed IS NULL) e ON 1 = 1"
               " ORDER BY e.spec, e.scope, e.id";
      },
      5, [&] { entries.clear(); },
      [&](const Statement& row) -> Result<void> {
        if (row.isNull(0)) return {};
        auto scope = TnScope::parse(row.text(0));
        if (!scope) return std::unexpected(scope.error());
        entries.push_back(
            {{std::move(*scope), row.text(1)}, row.text(2), row.text(3), fromUnix(row.integer(4))});
        return {};
      });
  if (!read) return std::unexpected(read.error());
  return entries;
}

}  // namespace keydir
