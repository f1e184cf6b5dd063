#include "cache/resnapshot.h"

#include <filesystem>

#include "cache/cache_log.h"
#include "directory/store/backup.h"
#include "directory/store/sql_advertisement_store.h"
#include "directory/store/sql_feed_store.h"
#include "directory/store/sql_key_store.h"

namespace keydir {
namespace {

void removeDatabaseFiles(const std::filesystem::path& file) {
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(file.string() + suffix, ignored);
  }
}

// The replica's own sequence reached, 0 if none.
Result<std::int64_t> reachedBy(FeedStore& feed) {
  auto state = feed.followerState();
  if (!state) return std::unexpected(state.error());
  return *state ? (*state)->sequence : 0;
}

// Takes the snapshot into `aside`, checks it, and carries the cache's own
// state into it.
Result<SyncReport> snapshotInto(const std::filesystem::path& aside, CacheService& service,
                                DirectoryClient& upstream, const FollowerOptions& options) {
  auto own = service.feed->status();
  if (!own) return std::unexpected(own.error());
  auto store = SqlKeyStore::open(aside, PoolOptions{2, 16},
                                    FeedSettings{own->bucket_bits, own->wide_threshold});
  if (!store) return failWithContext(store.error(), aside.string());
  // Lookup answers held from the replica are dropped by the changes they
  // see; the copy's changes come after the replica's, and say that
  // everything changed.
  auto last = service.store->lastChange();
  if (!last) return std::unexpected(last.error());
  if (auto ok = (*store)->numberChangesAfter(*last); !ok) return std::unexpected(ok.error());
  SqlAdvertisementStore ads((*store)->pool());
  SqlFeedStore feed((*store)->pool());
  FeedFollower follower(upstream, **store, ads, feed, *service.trust, *service.clock, options);
  auto report = follower.takeSnapshot();
  if (!report) return report;
  auto reached = reachedBy(*service.feed);
  if (!reached) return std::unexpected(reached.error());
  if (report->sequence < *reached) {
    const std::string why = "the fresh snapshot ends at sequence " +
                            std::to_string(report->sequence) + ", before the " +
                            std::to_string(*reached) + " already reached (rollback refused)";
    noteRollbackRefused(service, why);
    return fail(ErrorCode::kMalformed, why);
  }
  // The cache's own state (its secret above all) goes with the copy.
  if (auto made = CacheStore::open((*store)->pool()); !made) return std::unexpected(made.error());
  auto db = (*store)->pool().borrow();
  auto attach = db->prepare("ATTACH DATABASE ?1 AS replica");
  if (!attach) return std::unexpected(attach.error());
  if (auto ok = attach->bind(1, service.config.db).run(); !ok) return std::unexpected(ok.error());
  auto carried = db->execute(
      "INSERT OR REPLACE INTO main.cache_state SELECT * FROM replica.cache_state;"
      "DETACH DATABASE replica;");
  if (!carried) return std::unexpected(carried.error());
  return report;
}

}  // namespace

Result<SyncReport> resnapshotAside(CacheService& service, DirectoryClient& upstream,
                                   const FollowerOptions& options) {
  const std::filesystem::path aside = service.config.db + ".resnapshot";
  removeDatabaseFiles(aside);
  auto report = snapshotInto(aside, service, upstream, options);
  if (!report) {
    removeDatabaseFiles(aside);
    return failWithContext(report.error(),
                           "fresh snapshot (thrown away; still serving the last "
                           "good state)");
  }
  auto from = SqliteDatabase::open(aside);
  auto into = SqliteDatabase::open(service.config.db);
  if (!from || !into) {
    removeDatabaseFiles(aside);
    return std::unexpected(!from ? from.error() : into.error());
  }
  auto copied = copyPages((*from)->handle(), (*into)->handle());
  from->reset();
  removeDatabaseFiles(aside);
  if (!copied) return failWithContext(copied.error(), "swapping in the fresh snapshot");
  cacheSay("swapped in a fresh snapshot at sequence " + std::to_string(report->sequence) + " (" +
           std::to_string(*copied) + " pages)");
  return report;
}

}  // namespace keydir
