#include "directory/store/connection_pool.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "directory/store/backup.h"
#include "directory/store/sqlite.h"
#include "tests/support/temp_dir.h"

namespace keydir {
namespace {

TEST(ConnectionPoolTest, BorrowersShareTheLimitAndNoneDeadlocks) {
  testing::TempDir dir;
  PoolOptions options;
  options.connections = 2;
  options.max_wait = std::chrono::milliseconds(50);
  auto pool = ConnectionPool::open(dir / "pool.db", options).value();
  {
    auto first = pool->borrow();
    auto second = pool->borrow();
    // A third borrower past the limit waits, then gets its own connection
    // rather than waiting forever (a thread holding one may ask again).
    auto third = pool->borrow();
    EXPECT_TRUE(third->execute("SELECT 1"));
  }
  // Many threads, each borrowing and writing: every write lands.
  ASSERT_TRUE(pool->borrow()->execute("CREATE TABLE t (n INTEGER)"));
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        auto db = pool->borrow();
        ASSERT_TRUE(db->execute("INSERT INTO t VALUES (1)"));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  auto db = pool->borrow();
  auto count = db->prepare("SELECT COUNT(*) FROM t").value();
  ASSERT_TRUE(count.step().value());
  EXPECT_EQ(count.integer(0), 160);
}

TEST(ConnectionPoolTest, APinnedTransactionSpansEveryBorrowOnItsThreadAndOnlyCommitsWhole) {
  testing::TempDir dir;
  auto pool = ConnectionPool::open(dir / "pool.db").value();
  ASSERT_TRUE(pool->borrow()->execute("CREATE TABLE t (n INTEGER)"));
  auto count = [&] {
    auto db = pool->borrow();
    auto select = db->prepare("SELECT COUNT(*) FROM t").value();
    EXPECT_TRUE(select.step().value());
    return select.integer(0);
  };
  // What a store does: borrow, and write in its own transaction.
  auto store_insert = [&](bool commit) {
    auto db = pool->borrow();
    Transaction own(*db);
    EXPECT_TRUE(own.begun());
    EXPECT_TRUE(db->execute("INSERT INTO t VALUES (1)"));
    if (commit) {
      EXPECT_TRUE(own.commit());
    }
  };
  {
    ConnectionPool::Pin pin(*pool);
    EXPECT_EQ(&*pool->borrow(), &*pin) << "every borrow on this thread gets the pinned one";
    Transaction outer(*pin);
    store_insert(true);
    store_insert(false);  // rolls back its own savepoint only
    store_insert(true);
    std::int64_t seen_elsewhere = -1;
    std::thread([&] { seen_elsewhere = count(); }).join();
    EXPECT_EQ(seen_elsewhere, 0) << "nothing is visible before the outer commit";
    // No commit: the whole of it goes.
  }
  EXPECT_EQ(count(), 0);
  {
    ConnectionPool::Pin pin(*pool);
    Transaction outer(*pin);
    store_insert(true);
    store_insert(false);
    store_insert(true);
    ASSERT_TRUE(outer.commit());
  }
  EXPECT_EQ(count(), 2);
  EXPECT_NE(&*pool->borrow(), nullptr) << "the pin is over: borrowing works as before";
}

}  // namespace
}  // namespace keydir

namespace keydir {
namespace {

std::int64_t pageSize(Database& db) {
  auto statement = db.prepare("PRAGMA page_size").value();
  EXPECT_TRUE(statement.step().value());
  return statement.integer(0);
}

std::int64_t cacheSize(Database& db) {
  auto statement = db.prepare("PRAGMA cache_size").value();
  EXPECT_TRUE(statement.step().value());
  const std::int64_t size = statement.integer(0);
  statement.reset();
  return size;
}

TEST(BulkCopyWritingTest, AConnectionCopiesWithAWideWindowAndLargeCacheThenAsBefore) {
  testing::TempDir dir;
  auto pool = ConnectionPool::open(dir / "keydir.db", {.cache_mib = 64}).value();
  auto db = pool->borrow();
  auto& sqlite = static_cast<SqliteDatabase&>(*db);
  EXPECT_EQ(cacheSize(*db), -64 * 1024);
  EXPECT_EQ(sqlite.checkpointPages(), 1000);
  {
    BulkCopyWriting bulk(*db, 512);
    EXPECT_EQ(cacheSize(*db), -512 * 1024);
    EXPECT_EQ(sqlite.checkpointPages(), BulkCopyWriting::kCheckpointPages);
  }
  EXPECT_EQ(cacheSize(*db), -64 * 1024);
  EXPECT_EQ(sqlite.checkpointPages(), 1000);
  // bulk_copy_cache_mib=0, for a small machine: the window alone.
  {
    BulkCopyWriting bulk(*db, 0);
    EXPECT_EQ(cacheSize(*db), -64 * 1024);
    EXPECT_EQ(sqlite.checkpointPages(), BulkCopyWriting::kCheckpointPages);
  }
  EXPECT_EQ(cacheSize(*db), -64 * 1024);
  EXPECT_EQ(sqlite.checkpointPages(), 1000);
}

TEST(DatabaseTest, NewFilesGetLargePagesAndOldFilesKeepTheirs) {
  testing::TempDir dir;
  auto fresh = SqliteDatabase::open(dir / "new.db").value();
  ASSERT_TRUE(fresh->execute("CREATE TABLE t (n INTEGER)"));
  EXPECT_EQ(pageSize(*fresh), 16384);

  // A file made with SQLite's default 4 KiB pages opens as it is.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "old.db").c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw,
                         "PRAGMA page_size=4096; CREATE TABLE t (n INTEGER);"
                         "INSERT INTO t VALUES (7);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  auto old = SqliteDatabase::open(dir / "old.db").value();
  EXPECT_EQ(pageSize(*old), 4096);
  auto row = old->prepare("SELECT n FROM t").value();
  ASSERT_TRUE(row.step().value());
  EXPECT_EQ(row.integer(0), 7);
}

}  // namespace
}  // namespace keydir

namespace keydir {
namespace {

TEST(CommitCountTest, MovesOnceACommitIsVisibleAndNotOnReads) {
  testing::TempDir dir;
  auto writer = SqliteDatabase::open(dir / "count.db").value();
  auto reader = SqliteDatabase::open(dir / "count.db").value();
  ASSERT_TRUE(writer->execute("CREATE TABLE t (n INTEGER)"));

  std::uint64_t before = commitsInThisProcess();
  ASSERT_TRUE(reader->execute("SELECT count(*) FROM t"));
  EXPECT_EQ(commitsInThisProcess(), before) << "a read counted as a commit";

  // Inside a transaction nothing is visible yet, so nothing is counted.
  {
    Transaction transaction(*writer);
    ASSERT_TRUE(writer->execute("INSERT INTO t VALUES (1)"));
    ASSERT_TRUE(writer->execute("INSERT INTO t VALUES (2)"));
    EXPECT_EQ(commitsInThisProcess(), before);
    ASSERT_TRUE(transaction.commit());
  }
  EXPECT_EQ(commitsInThisProcess(), before + 1);
  ASSERT_TRUE(writer->execute("INSERT INTO t VALUES (3)"));  // a statement alone commits
  EXPECT_EQ(commitsInThisProcess(), before + 2);
  {
    Transaction abandoned(*writer);
    ASSERT_TRUE(writer->execute("INSERT INTO t VALUES (4)"));
  }
  EXPECT_EQ(commitsInThisProcess(), before + 2) << "a rollback counted as a commit";

  // The backup API writes no statement: copyPages counts its copy itself.
  auto copy = SqliteDatabase::open(dir / "copy.db").value();
  ASSERT_TRUE(copyPages(writer->handle(), copy->handle()));
  EXPECT_EQ(commitsInThisProcess(), before + 3);
  auto rows = copy->prepare("SELECT count(*) FROM t").value();
  ASSERT_TRUE(rows.step().value());
  EXPECT_EQ(rows.integer(0), 3);
}

// The commit counter takes SQLite's WAL hook, where SQLite's automatic
// checkpoint lives; the counter does that checkpoint itself, or the WAL
// would grow with every write for as long as the server runs.
TEST(CommitCountTest, TheWalIsStillCheckpointedPastItsWindow) {
  testing::TempDir dir;
  auto db = SqliteDatabase::open(dir / "wal.db").value();
  db->setCheckpointPages(8);
  ASSERT_TRUE(db->execute("CREATE TABLE t (b BLOB)"));
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(db->execute("INSERT INTO t VALUES (zeroblob(20000))"));
  }
  // 300 commits of two pages and more each, unchecked, would leave a WAL
  // of some 10 MB; checkpointed every 8 pages, it is reused from its start.
  const auto wal_bytes = std::filesystem::file_size(dir / "wal.db-wal");
  EXPECT_LT(wal_bytes, 40u * 16384) << "the WAL was not checkpointed";
}

}  // namespace
}  // namespace keydir
