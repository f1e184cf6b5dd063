// keydir migrate's refusals: each says why and leaves both ends as they were.

#include "directory/store/migrate.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "directory/store/sql_key_store.h"
#include "tests/support/expect_error.h"
#include "tests/support/test_postgres.h"

namespace keydir {
namespace {

using testing::expectError;

TEST(MigrateTest, RefusesAMissingFileAnUnreachableTargetAndAFullOne) {
  testing::TempDir dir;
  const std::string target = testing::freshPostgresDatabase();
  expectError(migrateToPostgres((dir / "absent.db").string(), target), ErrorCode::kNotFound,
              "no directory file");
  EXPECT_FALSE(std::filesystem::exists(dir / "absent.db")) << "a missing file was made";

  const std::string file = (dir / "keydir.db").string();
  {
    auto store = SqlKeyStore::open(file).value();
    ASSERT_TRUE(store->importSpcMap({{TnScope::parse("1-12025550000-10000").value(), "1234"}}, {}));
  }
  expectError(migrateToPostgres(file, "postgresql://keydir@127.0.0.1:1/none"),
              ErrorCode::kUnavailable, "cannot connect to PostgreSQL");
  expectError(migrateToPostgres(file, (dir / "other.db").string()), ErrorCode::kMalformed,
              "must be a postgresql:// URI");

  auto first = migrateToPostgres(file, target);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->sequence, 1);
  expectError(migrateToPostgres(file, target), ErrorCode::kMalformed, "already holds");
  auto store = SqlKeyStore::open(target).value();
  EXPECT_EQ(store->counts(nowInstant()).value().spc_entries, 1) << "the refusal changed it";
  EXPECT_EQ(store->lastChange().value(), 1);
}

}  // namespace
}  // namespace keydir
