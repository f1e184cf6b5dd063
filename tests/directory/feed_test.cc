// The prefetch feed against a real directory: every way a record enters or
// leaves the live set, digests, retention, snapshots and buckets.

#include <algorithm>
#include <filesystem>
#include <set>

#include "advertise/advertisement_signer.h"
#include "directory/feed_retention.h"
#include "directory/store/feed_hashes.h"
#include "directory/store/schema.h"
#include "directory/store/sql_feed_store.h"
#include "directory/store/sql_key_store.h"
#include "tests/directory/feed_fixture.h"
#include "tests/support/cps_entries.h"

namespace keydir {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using testing::FeedEngineTest;
using testing::FeedTest;
using testing::Identity;

INSTANTIATE_TEST_SUITE_P(BothEngines, FeedEngineTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

// The changes after `since`, as "op kind reason" strings.
std::vector<std::string> summary(const nlohmann::json& page) {
  std::vector<std::string> out;
  for (const auto& change : page["changes"]) {
    out.push_back(change["op"].get<std::string>() + " " + change["kind"].get<std::string>() +
                  (change.contains("reason") ? " " + change["reason"].get<std::string>() : ""));
  }
  return out;
}

TEST_P(FeedEngineTest, EveryWayARecordComesAndGoesShowsInOrderWithItsProof) {
  startServer();
  std::int64_t start = meta()["sequence"];
  std::string short_lived = registered(pki_->acme, hours(1));
  std::string revoked = registered(pki_->acme);
  ASSERT_EQ(revoke(revoked, "j1").status, 200);
  auto sign_ad = [&](seconds offset) {
    return signAdvertisement(
               {testing::cpsEntries({{"1-12025550100-100", "https://cps.acme.example"}}),
                clock_->now() + offset,
                {}},
               pki_->acme.key.get(), pki_->acme.chain)
        .value();
  };
  HttpAnswer first_ad =
      client_->request("POST", "/v1/advertisements", sign_ad(seconds(-10)), "application/jose")
          .value();
  ASSERT_EQ(first_ad.status, 201) << first_ad.body;
  HttpAnswer second_ad =
      client_->request("POST", "/v1/advertisements", sign_ad(seconds(0)), "application/jose")
          .value();
  ASSERT_EQ(second_ad.status, 201) << second_ad.body;
  ASSERT_TRUE(
      directory_store().importSpcMap({{TnScope::parse("1-14155550000-100").value(), "7777"}}, {}));
  clock_->advance(hours(2));
  ASSERT_EQ(server_->sweepFeed().value(), 1u);

  nlohmann::json page = changes(start);
  EXPECT_EQ(summary(page), (std::vector<std::string>{"put key", "put key", "remove key revoked",
                                                     "put ad", "put ad", "remove ad replaced",
                                                     "put spc", "remove key expired"}));
  const auto& list = page["changes"];
  EXPECT_EQ(list[2]["id"], revoked);
  EXPECT_TRUE(verifyJws(list[2]["proof"].get<std::string>(), *server_->service().trust,
                        clock_->now() - hours(2), &directory_store().spcMap()))
      << "the removal carries the revocation the directory accepted";
  EXPECT_EQ(list[5]["by"], list[4]["id"]);
  EXPECT_EQ(list[6]["body"], (nlohmann::json{{"scope", "1-14155550000-100"}, {"spc", "7777"}}));
  EXPECT_EQ(list[7]["id"], short_lived);
  for (std::size_t i = 1; i < list.size(); ++i) EXPECT_GT(list[i]["seq"], list[i - 1]["seq"]);
  EXPECT_EQ(page["to"], list.back()["seq"]);
  EXPECT_FALSE(page["more"]);

  // The digest the page names is the one of a snapshot at the same sequence.
  auto lines = snapshotLines();
  EXPECT_EQ(lines.front()["seq"], page["to"]);
  EXPECT_EQ(lines.back()["kind"], "end");
  EXPECT_EQ(lines.back()["count"], lines.size() - 2);
  EXPECT_EQ(lines.back()["digest"], digestOf(lines));
  EXPECT_EQ(page["digest"], digestOf(lines));
  EXPECT_EQ(meta()["digest"], digestOf(lines));
  auto wide = snapshotLines("?scope=wide");
  EXPECT_EQ(meta()["wide_digest"], digestOf(wide));
  EXPECT_EQ(changes(start, "&scope=wide")["digest"], digestOf(wide));

  // Paged: `to` is the last change's sequence while more follow, and the
  // digest is the one as of it.
  nlohmann::json half = changes(start, "&limit=3");
  EXPECT_TRUE(half["more"]);
  EXPECT_EQ(half["to"], half["changes"][2]["seq"]);
  EXPECT_EQ(changes(half["to"])["changes"].size(), list.size() - 3);
}

TEST_P(FeedEngineTest, ASinceTooOldIsGoneAndOneInTheFutureIsMalformed) {
  config_.feed_retention_seconds = 3600;
  startServer();
  registered(pki_->acme);
  std::int64_t now_at = meta()["sequence"];
  expectProblem(get("/v1/changes?since=" + std::to_string(now_at + 1)), 400, "malformed",
                "past the directory's sequence");
  expectProblem(get("/v1/changes?since=abc"), 400, "malformed", "whole number");
  expectProblem(get("/v1/changes"), 400, "malformed", "since is required");
  expectProblem(get("/v1/snapshot?scope=narrow"), 400, "malformed", "scope");
  clock_->advance(hours(2));
  registered(pki_->acme);
  ASSERT_TRUE(server_->sweepFeed());
  expectProblem(get("/v1/changes?since=0"), 410, "gone", "take a new snapshot");
  EXPECT_EQ(meta()["oldest_since"], now_at);
  EXPECT_EQ(changes(now_at)["changes"].size(), 1u);
}

TEST_P(FeedEngineTest, AKeyIsForgottenOnceItsRemovalHasLeftTheFeedAndItsCredentialExpired) {
  config_.feed_retention_seconds = 3600;
  startServer();
  const std::string revoked_body = body(pki_->acme, hours(30));
  HttpAnswer first = post("/v1/keys", revoked_body);
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string revoked = nlohmann::json::parse(first.body)["id"];
  // The carrier's scope names an SPC as well as a range: rows in both
  // tables a key is found by.
  const std::string expired = registered(pki_->carrier, hours(1));
  ASSERT_EQ(revoke(revoked, "j1").status, 200);
  auto rows_of = [&](const std::string& id) {
    auto db = static_cast<SqlKeyStore&>(directory_store()).pool().borrow();
    auto count = db->prepare(
        "SELECT (SELECT COUNT(*) FROM keys WHERE id = ?1),"
        " (SELECT COUNT(*) FROM key_blocks WHERE key_id = ?1),"
        " (SELECT COUNT(*) FROM key_spcs WHERE key_id = ?1)");
    EXPECT_TRUE(count->bind(1, id).step().value());
    return std::vector<std::int64_t>{count->integer(0), count->integer(1), count->integer(2)};
  };
  ASSERT_EQ(rows_of(expired), (std::vector<std::int64_t>{1, 1, 1}));

  clock_->advance(hours(2));
  ASSERT_EQ(server_->sweepFeed().value(), 1u);
  // The revocation has left the changes kept, but its credential could
  // still be registered; the expiry is still in the feed.
  EXPECT_EQ(nlohmann::json::parse(get("/v1/keys/" + revoked).body)["status"], "revoked");
  EXPECT_EQ(nlohmann::json::parse(get("/v1/keys/" + expired).body)["status"], "expired");
  EXPECT_EQ(rows_of(revoked)[0], 1);

  const std::string live = registered(pki_->acme, hours(72));
  clock_->advance(hours(29));
  const nlohmann::json digest = meta()["digest"];
  ASSERT_TRUE(server_->sweepFeed());
  for (const std::string& id : {revoked, expired}) {
    expectProblem(get("/v1/keys/" + id), 404, "not-found", "no key with id");
    EXPECT_EQ(rows_of(id), (std::vector<std::int64_t>{0, 0, 0}));
  }
  EXPECT_EQ(meta()["digest"], digest) << "what was forgotten had already left the live set";
  EXPECT_EQ(idsFor("12025550142"), std::vector<std::string>{live});
  EXPECT_EQ(nlohmann::json::parse(get("/v1/keys/" + live).body)["status"], "live");
  // A forgotten key stays gone: its registration, sent again, has expired.
  expectProblem(post("/v1/keys", revoked_body), 422, "expired", "expired");
  EXPECT_EQ(rows_of(revoked)[0], 0);
}

TEST_P(FeedEngineTest, ForgettingStopsAtItsBoundAndTheNextCallGoesOn) {
  config_.feed_retention_seconds = 3600;
  startServer();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(registered(pki_->acme, hours(1)));
  clock_->advance(hours(2));
  ASSERT_EQ(server_->sweepFeed().value(), 5u) << "all five expired";
  // Past retention; forgotten here a few at a time, not by the sweep.
  clock_->advance(hours(2));
  FeedStore& feed = *server_->service().feed;
  const ForgetLimits two_a_batch_three_a_call{2, 3};
  auto forget = [&] {
    return forgetPastRetention(feed, clock_->now(), std::chrono::hours(1), two_a_batch_three_a_call)
        .value();
  };
  Forgotten first = forget();
  EXPECT_EQ(first.keys, 3u);
  EXPECT_TRUE(first.keys_left);
  EXPECT_EQ(forgettingBacklogNote(first),
            "forgot 3 keys past retention; more are due, and the next sweep or poll goes on");
  std::size_t gone = 0;
  for (const auto& id : ids) gone += get("/v1/keys/" + id).status == 404;
  EXPECT_EQ(gone, 3u) << "the three forgotten, the two left still answered";
  Forgotten second = forget();
  EXPECT_EQ(second.keys, 2u);
  EXPECT_FALSE(second.keys_left);
  EXPECT_EQ(forgettingBacklogNote(second), "");
  EXPECT_EQ(forget().keys, 0u);
  for (const auto& id : ids) EXPECT_EQ(get("/v1/keys/" + id).status, 404) << id;
}

TEST_P(FeedEngineTest, ABucketHoldsEveryNarrowRecordTouchingItAndNothingElse) {
  startServer();
  Identity solo = pki_->issue(testing::issueRequest(
      "solo-" + GetParam(), CertificateKind::kEnterprise, "intermediate", {"2-14155550199"}));
  std::map<std::string, std::vector<std::string>> narrow_keys;  // id -> scope strings
  narrow_keys[registered(pki_->acme)] = {"1-12025550100-100"};
  narrow_keys[registered(solo)] = {"2-14155550199"};
  std::string wide_key = registered(pki_->carrier);
  int bits = meta()["bucket_bits"];
  // Brute force: each narrow key's buckets, from its numbers one by one.
  std::map<std::string, std::set<std::string>> expected;  // bucket -> ids
  for (const auto& [id, scopes] : narrow_keys) {
    for (const auto& text : scopes) {
      TnScope scope = TnScope::parse(text).value();
      std::uint64_t first = std::stoull(scope.value());
      for (std::uint64_t i = 0; i < scope.count(); ++i) {
        expected[bucketHex(bucketOf(std::to_string(first + i), bits), bits)].insert(id);
      }
    }
  }
  for (const auto& [bucket, ids] : expected) {
    HttpAnswer answer = get("/v1/buckets/" + bucket);
    ASSERT_EQ(answer.status, 200);
    EXPECT_EQ(answer.body.size() % 4096, 0u) << "padded to bucket_pad_bytes";
    nlohmann::json body = nlohmann::json::parse(answer.body);
    std::set<std::string> got;
    for (const auto& key : body["keys"]) got.insert(key["id"]);
    EXPECT_EQ(got, ids) << bucket;
    EXPECT_FALSE(got.contains(wide_key));
  }
  // A bucket nothing touches answers too, complete and empty.
  std::string untouched = "0000";
  while (expected.contains(untouched)) untouched[3]++;
  nlohmann::json empty = nlohmann::json::parse(get("/v1/buckets/" + untouched).body);
  EXPECT_TRUE(empty["keys"].empty());
  expectProblem(get("/v1/buckets/12345"), 400, "malformed", "4 lowercase hex digits");
  expectProblem(get("/v1/buckets/ABCD"), 400, "malformed", "lowercase hex");
  EXPECT_GT(meta()["largest_bucket_bytes"].get<std::int64_t>(), 0);
  // Same answer, same ETag: 304.
  HttpAnswer first = get("/v1/buckets/" + expected.begin()->first);
  auto session = client_->request("GET", "/v1/buckets/" + expected.begin()->first);
  EXPECT_EQ(session->headers.at("etag"), first.headers.at("etag"));
}

TEST_F(FeedTest, AnOlderDatabaseUpgradesInPlaceWithItsIndexAndDigest) {
  std::filesystem::path testdata = KEYDIR_TESTDATA;
  std::filesystem::copy_file(testdata / "schema-v4" / "keydir.db", dir_ / "old.db");
  {
    auto store = SqlKeyStore::open(dir_ / "old.db").value();
    SqlFeedStore feed(store->pool());
    FeedStatus status = feed.status().value();
    EXPECT_EQ(status.sequence, 7) << "the old change log's sequence carries on";
    EXPECT_EQ(status.oldest_since, 7) << "its history held no proofs";
    std::vector<nlohmann::json> lines;
    feed.snapshot(
        false, [](std::int64_t) { return true; },
        [&](const SnapshotRecord& record) {
          lines.push_back({{"kind", record.kind}, {"id", record.id}});
          return true;
        });
    EXPECT_EQ(lines.size(), 5u) << "two live keys, two advertisements, one SPC-map entry";
    EXPECT_EQ(status.digest, digestOf(lines));
    // The enterprise key covers 12025550100-199: it is in their buckets.
    BucketContents bucket = feed.bucket(bucketOf("12025550150", 16)).value();
    EXPECT_EQ(bucket.keys.size(), 1u);
    EXPECT_EQ(bucket.ads.size(), 1u);
  }
  auto version = SqliteDatabase::open(dir_ / "old.db").value()->userVersion().value();
  EXPECT_EQ(version, kSchemaVersion);
}

// The bucket index as schemas 5 to 7 laid it out, made from a current file.
constexpr const char* kBucketIndexOfSchema5 =
    "CREATE TABLE old_members (bucket INTEGER NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,"
    " PRIMARY KEY (bucket, kind, id)) WITHOUT ROWID;"
    " INSERT INTO old_members SELECT bucket, kind, id FROM bucket_members;"
    " DROP TABLE bucket_members; DROP TABLE bucket_items;"
    " ALTER TABLE old_members RENAME TO bucket_members; PRAGMA user_version = 5;";
constexpr const char* kBucketIndexOfSchema7 =
    "CREATE TABLE old_members (bucket INTEGER NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,"
    " item TEXT NOT NULL DEFAULT '', expires INTEGER, PRIMARY KEY (bucket, kind, id))"
    " WITHOUT ROWID;"
    " INSERT INTO old_members SELECT m.bucket, m.kind, m.id, i.item, i.expires"
    " FROM bucket_members AS m JOIN bucket_items AS i ON i.place = m.place;"
    " DROP TABLE bucket_members; DROP TABLE bucket_items;"
    " ALTER TABLE old_members RENAME TO bucket_members; PRAGMA user_version = 7;";

class BucketIndexUpgrade : public FeedTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(BucketIndexUpgrade, AnOlderBucketIndexUpgradesToTheSameAnswers) {
  startServer();
  registered(pki_->acme);
  registered(pki_->carrier);  // wide: in no bucket
  std::string jws =
      signAdvertisement({testing::cpsEntries({{"1-12025550100-100", "https://cps.acme.example"}}),
                         clock_->now(),
                         {}},
                        pki_->acme.key.get(), pki_->acme.chain)
          .value();
  HttpAnswer ad = client_->request("POST", "/v1/advertisements", jws, "application/jose").value();
  ASSERT_EQ(ad.status, 201) << ad.body;
  const std::string path = "/v1/buckets/" + bucketHex(bucketOf("12025550150", 16), 16);
  HttpAnswer before = get(path);
  ASSERT_EQ(before.status, 200);
  stopServer();
  {
    auto db = SqliteDatabase::open(dir_ / "keydir.db").value();
    ASSERT_TRUE(db->execute(GetParam()));
  }
  ::testing::internal::CaptureStderr();
  startServer();
  const std::string said = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(said.find("keydir: upgrading the database to schema 8: laying out the bucket index"),
            std::string::npos)
      << said;
  HttpAnswer after = get(path);
  ASSERT_EQ(after.status, 200);
  auto answer = nlohmann::json::parse(after.body);
  EXPECT_EQ(answer, nlohmann::json::parse(before.body));
  EXPECT_EQ(answer["keys"].size(), 1u);
  EXPECT_EQ(answer["ads"].size(), 1u);
  EXPECT_EQ(after.headers.at("cache-control"), before.headers.at("cache-control"));
  // Upgraded, the index goes on taking members and letting them go.
  std::string second = registered(pki_->acme, std::chrono::hours(2));
  EXPECT_EQ(nlohmann::json::parse(get(path).body)["keys"].size(), 2u);
  ASSERT_EQ(revoke(second, "j-upgrade").status, 200);
  EXPECT_EQ(nlohmann::json::parse(get(path).body)["keys"].size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(FromSchema, BucketIndexUpgrade,
                         ::testing::Values(kBucketIndexOfSchema5, kBucketIndexOfSchema7),
                         [](const auto& info) { return info.index == 0 ? "5" : "7"; });

}  // namespace
}  // namespace keydir
