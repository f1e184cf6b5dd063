// `keydir migrate` of a running directory's SQLite file into PostgreSQL
// (docs/design.md section 15): the new directory answers as the old one did, and a
// cache that followed the old one, repointed, carries on its feed from the
// same sequence without taking a new snapshot.

#include <algorithm>

#include "directory/client/directory_client.h"
#include "tests/cache/cache_fixture.h"
#include "tests/support/test_postgres.h"

namespace keydir {
namespace {

using testing::CacheTest;

TEST_F(CacheTest, AMigratedDirectoryAnswersAsBeforeAndItsCachesCarryOn) {
  startDirectory();
  const std::string kept = registerKey()["id"];
  const std::string revoked = registerKey()["id"];
  const std::string withdrawn = registerKey()["id"];
  revokeKey(revoked);
  testing::keydirJson("advertise --cert " + pki_ + "/acme.chain.pem --key " + pki_ +
                      "/acme.key --entry 1-12025550100-100=https://cps.acme.example --publish " +
                      directory_->url());
  testing::keydirJson("withdraw " + withdrawn + " --db " + db_ + " --reason 'key compromise'");
  startCache();
  ASSERT_TRUE(eventually([&] { return caughtUp(); })) << cache_->log();

  const auto old_meta = getJson(*directory_, "/v1/meta");
  const std::string old_snapshot = get(*directory_, "/v1/snapshot").body;
  const std::string old_changes = get(*directory_, "/v1/changes?since=0").body;
  const std::string old_keys = get(*directory_, "/v1/tns/12025550150/keys").body;
  const std::string old_cps = get(*directory_, "/v1/tns/12025550150/cps").body;
  const std::string old_bucket = get(*directory_, "/v1/buckets/0000").body;
  directory_->stop();

  const std::string database = testing::freshPostgresDatabase();
  auto migrated = testing::keydirJson("migrate --from " + db_ + " --to " + database);
  EXPECT_EQ(migrated["sequence"], old_meta["sequence"]);
  EXPECT_EQ(migrated["digest"], old_meta["digest"]);
  EXPECT_EQ(migrated["tables"]["keys"], 3);
  // A second time into the same database is refused, and changes nothing.
  testing::keydirJson("migrate --from " + db_ + " --to " + database, 1);

  db_ = database;
  directory_ = serve();
  ASSERT_NE(directory_->port(), 0);
  const auto new_meta = getJson(*directory_, "/v1/meta");
  for (const char* field : {"sequence", "digest", "wide_digest", "keys", "oldest_since"}) {
    EXPECT_EQ(new_meta[field], old_meta[field]) << field;
  }
  EXPECT_EQ(get(*directory_, "/v1/snapshot").body, old_snapshot);
  EXPECT_EQ(get(*directory_, "/v1/changes?since=0").body, old_changes);
  EXPECT_EQ(get(*directory_, "/v1/tns/12025550150/keys").body, old_keys);
  EXPECT_EQ(get(*directory_, "/v1/tns/12025550150/cps").body, old_cps);
  EXPECT_EQ(get(*directory_, "/v1/buckets/0000").body, old_bucket);

  // The cache, repointed, reads on from where it was.
  proxy_->clearRequests();
  proxy_->setUpstream(directory_->url());
  const std::string later = registerKey()["id"];
  ASSERT_TRUE(eventually([&] { return caughtUp(); })) << cache_->log();
  const auto ids = keyIds(getJson(*cache_, "/v1/tns/12025550150/keys"));
  EXPECT_NE(std::find(ids.begin(), ids.end(), later), ids.end()) << "the new key at the cache";
  EXPECT_EQ(getJson(*cache_, "/v1/meta")["digest"], getJson(*directory_, "/v1/meta")["digest"]);
  for (const auto& request : proxy_->requests()) {
    EXPECT_FALSE(request.starts_with("GET /v1/snapshot")) << "the cache started over";
  }
}

TEST_F(CacheTest, ACacheOnAPostgreSqlDatabaseIsRefusedWithWhy) {
  startDirectory();
  auto refused = testing::keydir("cache --upstream " + directory_->url() + " --trust " + trust_ +
                                 " --listen 127.0.0.1:0 --db postgresql://keydir@127.0.0.1:1/x");
  EXPECT_NE(refused.status, 0);
  EXPECT_NE(refused.output.find("a cache keeps its copy in a SQLite file"), std::string::npos)
      << refused.output;
}

}  // namespace
}  // namespace keydir
