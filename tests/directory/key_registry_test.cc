#include "directory/key_registry.h"

#include <gtest/gtest.h>

#include <thread>

#include "certs/credential_issuer.h"
#include "certs/jws.h"
#include "certs/pem.h"
#include "directory/store/sql_key_store.h"
#include "tests/support/expect_error.h"
#include "tests/support/test_pki.h"
#include "tests/support/test_postgres.h"

namespace keydir {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using testing::expectError;
using testing::Identity;

class KeyRegistryTest : public testing::SharedPkiTest {
 protected:
  // The reseller's range sits in the carrier's SPC only through the map.
  void SetUp() override {
    openStore();
    importSpcMap();
  }

  // The engine under test: SQLite here, each in turn below.
  virtual std::string engine() const { return "sqlite"; }
  void openStore() {
    registry_.reset();
    store_.reset();
    if (target_.empty()) target_ = testing::storeTarget(engine(), dir_);
    auto opened = SqlKeyStore::open(target_);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    registry_ = std::make_unique<KeyRegistry>(*store_, pki_->trust(), KeyPolicy{});
  }
  void importSpcMap() {
    std::vector<SpcAssignment> map = {{TnScope::parse("1-12025550000-10000").value(), "1234"},
                                      {TnScope::parse("2-12025559042").value(), "5678"}};
    auto imported = store_->importSpcMap(map, {});
    ASSERT_TRUE(imported) << imported.error().message;
  }
  static std::string body(const Identity& who, hours valid_for = hours(24)) {
    auto issued =
        issueCredential(who.chain, who.key.get(), KeyType::kX25519, valid_for, pki_->now());
    return registrationBody(issued.value().credential, who.chain).dump();
  }
  std::string registered(const Identity& who, hours valid_for = hours(24)) {
    auto registration = registry_->registerKey(body(who, valid_for), pki_->now());
    EXPECT_TRUE(registration) << (registration ? "" : registration.error().message);
    return registration ? registration->id : "";
  }
  std::vector<std::string> idsFor(const std::string& tn, Instant at) {
    std::vector<std::string> ids;
    TnKeys found = registry_->lookup(tn, at).value();
    for (const auto& key : found.keys) ids.push_back(key.id);
    return ids;
  }
  std::vector<std::string> idsFor(const std::string& tn) { return idsFor(tn, pki_->now()); }
  static std::string revocation(const Identity& signer, const std::string& id, Instant iat,
                                const std::string& jti = "j1") {
    nlohmann::json payload = {{"sub", id}, {"iat", iat.time_since_epoch().count()}, {"jti", jti}};
    return signJws({}, payload.dump(), signer.key.get(), signer.chain).value();
  }

  testing::TempDir dir_;
  std::string target_;
  std::unique_ptr<SqlKeyStore> store_;
  std::unique_ptr<KeyRegistry> registry_;
};

// The storage's promises, held to by both engines alike.
class KeyRegistryEngineTest : public KeyRegistryTest,
                              public ::testing::WithParamInterface<std::string> {
 protected:
  std::string engine() const override { return GetParam(); }
};
INSTANTIATE_TEST_SUITE_P(BothEngines, KeyRegistryEngineTest,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

TEST_P(KeyRegistryEngineTest, RegisteringTwiceGivesTheSameRecord) {
  std::string request = body(pki_->acme);
  auto first = registry_->registerKey(request, pki_->now());
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(first->created);
  auto again = registry_->registerKey(request, pki_->now());
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->record, first->record);
  nlohmann::json record = nlohmann::json::parse(first->record);
  EXPECT_EQ(record["id"], first->id);
  EXPECT_EQ(record["scope"], nlohmann::json::array({"1-12025550100-100"}));
  EXPECT_EQ(record["alg"], "X25519");
  EXPECT_EQ(record["x5c"].size(), 4u);
  EXPECT_NE(record["x5u"].get<std::string>().find("/v1/certs/"), std::string::npos);
}

TEST_P(KeyRegistryEngineTest, RangeKeyHoldsItsEndsAndNotTheirNeighbours) {
  std::string id = registered(pki_->acme);
  EXPECT_EQ(idsFor("12025550100"), std::vector<std::string>{id});
  EXPECT_EQ(idsFor("+1 (202) 555-0199"), std::vector<std::string>{id});
  EXPECT_TRUE(idsFor("12025550099").empty());
  EXPECT_TRUE(idsFor("12025550200").empty());
}

TEST_P(KeyRegistryEngineTest, SpcKeyIsFoundThroughTheSpcMostSpecificFirst) {
  std::string carrier_id = registered(pki_->carrier);  // 0-1234 and 1-13125550000-10000
  std::string acme_id = registered(pki_->acme);
  EXPECT_EQ(idsFor("12025550150"), (std::vector<std::string>{acme_id, carrier_id}));
  EXPECT_EQ(idsFor("12025559041"), std::vector<std::string>{carrier_id});
  EXPECT_TRUE(idsFor("12025559042").empty());  // ported to 5678
  EXPECT_TRUE(idsFor("12035550150").empty());  // in no map entry
  EXPECT_EQ(idsFor("13125559999"), std::vector<std::string>{carrier_id});
}

TEST_P(KeyRegistryEngineTest, ExpiredKeyLeavesAnswersAtItsExpiryInstant) {
  std::string id = registered(pki_->acme, hours(2));
  Instant expiry = pki_->now() + hours(2);
  EXPECT_EQ(idsFor("12025550100", expiry - seconds(1)), std::vector<std::string>{id});
  EXPECT_TRUE(idsFor("12025550100", expiry).empty());
  EXPECT_TRUE(registry_->key(id));  // still addressable by id
}

TEST_P(KeyRegistryEngineTest, FifthLiveKeyForOneSignerAndScopeIsTooMany) {
  for (int i = 0; i < 4; ++i) registered(pki_->acme);
  auto fifth = registry_->registerKey(body(pki_->acme), pki_->now());
  expectError(fifth, ErrorCode::kTooManyKeys, "limit is 4");
  EXPECT_EQ(idsFor("12025550100").size(), 4u);
}

TEST_P(KeyRegistryEngineTest, RevokedKeyLeavesAnswersAtOnce) {
  std::string id = registered(pki_->acme);
  // The carrier's SPC covers acme's numbers through the map.
  auto revoked = registry_->revoke(id, revocation(pki_->carrier, id, pki_->now()), pki_->now());
  ASSERT_TRUE(revoked) << revoked.error().message;
  EXPECT_TRUE(revoked->revoked);
  EXPECT_TRUE(idsFor("12025550100").empty());
  EXPECT_TRUE(registry_->key(id)->revoked);
}

TEST_P(KeyRegistryEngineTest, RevocationRulesEachWay) {
  std::string id = registered(pki_->acme);
  Instant now = pki_->now();
  expectError(registry_->revoke(id, revocation(pki_->direct, id, now), now),
              ErrorCode::kNotAuthorized, "does not cover the key");
  expectError(registry_->revoke(id, revocation(pki_->acme, id, now - seconds(301)), now),
              ErrorCode::kExpired, "within 300 seconds");
  expectError(registry_->revoke(id, revocation(pki_->acme, "other", now), now),
              ErrorCode::kMalformed, "not for");
  expectError(registry_->revoke("nope", revocation(pki_->acme, "nope", now), now),
              ErrorCode::kNotFound, "no key");
  std::string bad_payload = signJws({}, "[1]", pki_->acme.key.get(), pki_->acme.chain).value();
  expectError(registry_->revoke(id, bad_payload, now), ErrorCode::kMalformed, "JSON object");
  EXPECT_FALSE(registry_->key(id)->revoked);  // nothing above changed the key

  ASSERT_TRUE(registry_->revoke(id, revocation(pki_->acme, id, now, "once"), now));
  expectError(registry_->revoke(id, revocation(pki_->acme, id, now, "once"), now),
              ErrorCode::kNotAuthorized, "used before");
}

TEST_P(KeyRegistryEngineTest, MalformedBodiesSayWhatIsMissing) {
  expectError(registry_->registerKey("not json", pki_->now()), ErrorCode::kMalformed,
              "not a JSON object");
  expectError(registry_->registerKey(R"({"x5c":[]})", pki_->now()), ErrorCode::kMalformed,
              "\"dc\"");
  expectError(registry_->registerKey(R"({"dc":"!!","x5c":["AA=="]})", pki_->now()),
              ErrorCode::kMalformed, "dc");
  expectError(registry_->registerKey(R"({"dc":"AAAA"})", pki_->now()), ErrorCode::kMalformed,
              "x5c");
  expectError(registry_->lookup("12ab", pki_->now()), ErrorCode::kInvalidTn, "'a'");
}

TEST_P(KeyRegistryEngineTest, ARestartKeepsEverything) {
  std::string id = registered(pki_->carrier);
  openStore();
  EXPECT_EQ(idsFor("12025550150"), std::vector<std::string>{id});
  auto counts = store_->counts(pki_->now()).value();
  EXPECT_EQ(counts.keys, 1);
  EXPECT_EQ(counts.spc_entries, 2);
}

TEST_P(KeyRegistryEngineTest, AKeyOfANewBlockShapeIsFoundWhereShapesWereReadBefore) {
  // This store's connections read the block shapes at the first lookup and
  // keep them; another store then writes a key of a shape they lack.
  EXPECT_EQ(idsFor("14155550199"), std::vector<std::string>{});
  EXPECT_EQ(idsFor("12025550100"), std::vector<std::string>{});
  auto other_store = SqlKeyStore::open(target_);
  ASSERT_TRUE(other_store) << other_store.error().message;
  KeyRegistry other(**other_store, pki_->trust(), KeyPolicy{});
  Identity solo = pki_->issue(testing::issueRequest("solo", CertificateKind::kEnterprise,
                                                    "intermediate", {"2-14155550199"}));
  auto number = other.registerKey(body(solo), pki_->now());
  ASSERT_TRUE(number) << number.error().message;
  auto range = other.registerKey(body(pki_->acme), pki_->now());
  ASSERT_TRUE(range) << range.error().message;
  EXPECT_EQ(idsFor("14155550199"), std::vector<std::string>{number->id});
  EXPECT_EQ(idsFor("12025550100"), std::vector<std::string>{range->id});
}

TEST_F(KeyRegistryTest, UpgradingAnOlderDatabaseKeepsEveryKeyFindable) {
  std::string range = registered(pki_->acme);  // blocks of several shapes
  Identity solo = pki_->issue(testing::issueRequest("solo", CertificateKind::kEnterprise,
                                                    "intermediate", {"2-14155550199"}));
  std::string number = registered(solo);        // one full-number block
  std::string spc = registered(pki_->carrier);  // the map's blocks too
  registry_.reset();
  store_.reset();
  // Back to schema 3, which knew neither block shapes nor the feed.
  {
    auto db = SqliteDatabase::open(dir_ / "keydir.db").value();
    ASSERT_TRUE(db->execute(
        "DROP INDEX keys_live_by_expiry;"
        " CREATE INDEX keys_live_by_expiry ON keys(expires) WHERE revoked IS NULL;"
        " DROP TABLE block_shapes; DROP TABLE feed; DROP TABLE feed_state;"
        " DROP TABLE bucket_members; DROP TABLE bucket_items; DROP TABLE bucket_sizes;"
        " DROP TABLE follower_state;"
        " DROP TABLE follower_refused; DROP TABLE follower_snapshot_seen;"
        " DROP INDEX keys_in_feed; DROP INDEX keys_wide_in_feed; DROP INDEX ads_in_feed;"
        " DROP INDEX keys_removed;"
        " ALTER TABLE keys DROP COLUMN wide; ALTER TABLE keys DROP COLUMN removed;"
        " ALTER TABLE ads DROP COLUMN wide; ALTER TABLE ads DROP COLUMN removed;"
        " ALTER TABLE spc_map DROP COLUMN wide;"
        " CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,"
        "  id TEXT NOT NULL, op TEXT NOT NULL, at INTEGER NOT NULL);"
        " PRAGMA user_version = 3;"))
        << "the downgrade to schema 3 failed";
  }
  openStore();
  EXPECT_EQ(idsFor("12025550100"), (std::vector<std::string>{range, spc}));
  EXPECT_EQ(idsFor("12025550199"), (std::vector<std::string>{range, spc}));
  EXPECT_EQ(idsFor("14155550199"), std::vector<std::string>{number});
  EXPECT_EQ(idsFor("12025559042"), std::vector<std::string>{}) << "ported to SPC 5678";
}

TEST_P(KeyRegistryEngineTest, EightThreadsRegisteringAtOnceLoseNothing) {
  // Eight signers with one key each, registered concurrently, twice over.
  std::vector<Identity> signers;
  for (int i = 0; i < 8; ++i) {
    std::string name = "writer-" + GetParam() + "-";
    name += std::to_string(i);
    std::string scope = "2-1202555080";
    scope += std::to_string(i);
    signers.push_back(pki_->issue(
        testing::issueRequest(name, CertificateKind::kEnterprise, "reseller", {scope})));
  }
  std::vector<std::string> bodies;
  for (const auto& signer : signers) bodies.push_back(body(signer));
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      for (int round = 0; round < 2; ++round) {
        if (!registry_->registerKey(bodies[i], pki_->now())) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(store_->counts(pki_->now()).value().keys, 8);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(idsFor("1202555080" + std::to_string(i)).size(), 1u);
}

TEST_P(KeyRegistryEngineTest, ChainIsServedByItsAddress) {
  auto registration = registry_->registerKey(body(pki_->acme), pki_->now()).value();
  std::string x5u = nlohmann::json::parse(registration.record)["x5u"];
  std::string address = x5u.substr(x5u.rfind('/') + 1);
  auto pem = store_->certificatesPem(address).value();
  ASSERT_TRUE(pem);
  EXPECT_EQ(certificatesFromPem(*pem).value().size(), 4u);
  EXPECT_FALSE(store_->certificatesPem(std::string(64, '0')).value());
}

}  // namespace
}  // namespace keydir
