#include "directory/connection_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

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

}  // namespace
}  // namespace keydir
