// Statements a writer sends without waiting (PgDatabase::defer): what they
// did is seen by the next statement that reads, counted by changes(), and a
// failure among them fails the transaction whole, with the server's reason.
#include <gtest/gtest.h>

#include "directory/store/postgres.h"
#include "tests/support/test_postgres.h"

namespace keydir {
namespace {

class PostgresPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto connected = PgDatabase::connect(testing::freshPostgresDatabase());
    ASSERT_TRUE(connected) << connected.error().message;
    db_ = std::move(*connected);
    ASSERT_TRUE(db_->execute("CREATE TABLE items (id BIGINT PRIMARY KEY, name TEXT NOT NULL)"));
  }
  Result<void> insert(std::int64_t id, const std::string& name) {
    auto statement = db_->prepare("INSERT INTO items(id, name) VALUES (?1, ?2)");
    if (!statement) return std::unexpected(statement.error());
    return statement->bind(1, id).bind(2, name).run();
  }
  std::int64_t count() {
    auto statement = db_->prepare("SELECT COUNT(*) FROM items");
    EXPECT_TRUE(statement && statement->step().value_or(false));
    return statement ? statement->integer(0) : -1;
  }

  std::unique_ptr<PgDatabase> db_;
};

TEST_F(PostgresPipelineTest, WhatWasSentIsSeenCountedAndKept) {
  {
    Transaction transaction(*db_);
    ASSERT_TRUE(transaction.begun());
    for (int id = 1; id <= 600; ++id) ASSERT_TRUE(insert(id, "n" + std::to_string(id)));
    EXPECT_EQ(count(), 600) << "a read inside the transaction sees every insert sent before it";
    auto rename = db_->prepare("UPDATE items SET name = 'x' WHERE id <= ?1");
    ASSERT_TRUE(rename);
    ASSERT_TRUE(rename->bind(1, std::int64_t(250)).run());
    EXPECT_EQ(db_->changes(), 250);
    ASSERT_TRUE(transaction.commit());
  }
  EXPECT_EQ(count(), 600);
}

TEST_F(PostgresPipelineTest, AFailureAmongWhatWasSentFailsTheCommitAndNothingIsKept) {
  ASSERT_TRUE(insert(7, "before"));  // outside a transaction: at once, and kept
  {
    Transaction transaction(*db_);
    ASSERT_TRUE(transaction.begun());
    ASSERT_TRUE(insert(1, "a"));
    ASSERT_TRUE(insert(7, "again")) << "sent without waiting: its failure comes later";
    ASSERT_TRUE(insert(2, "b"));
    auto committed = transaction.commit();
    ASSERT_FALSE(committed);
    EXPECT_NE(committed.error().message.find("duplicate key"), std::string::npos)
        << committed.error().message;
  }
  EXPECT_EQ(count(), 1);
  // The connection is whole again: a new transaction works.
  Transaction next(*db_);
  ASSERT_TRUE(next.begun());
  ASSERT_TRUE(insert(3, "c"));
  ASSERT_TRUE(next.commit());
  EXPECT_EQ(count(), 2);
}

TEST_F(PostgresPipelineTest, AReadAfterAFailureSaysWhyAndTheRollbackLeavesNothing) {
  {
    Transaction transaction(*db_);
    ASSERT_TRUE(transaction.begun());
    auto select = db_->prepare("SELECT name FROM items WHERE id = ?1");
    ASSERT_TRUE(select);
    ASSERT_TRUE(insert(1, "a"));
    ASSERT_TRUE(insert(1, "b"));
    auto row = select->bind(1, std::int64_t(1)).step();
    ASSERT_FALSE(row);
    EXPECT_NE(row.error().message.find("duplicate key"), std::string::npos) << row.error().message;
  }  // rolled back here
  EXPECT_EQ(count(), 0);
}

}  // namespace
}  // namespace keydir
