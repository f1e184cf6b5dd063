// SQLite and PostgreSQL given the same writes give the same bytes: feed
// pages, snapshots, buckets, digests, lookups and chains (docs/design.md
// section 15: clients, caches and the feed cannot tell the engines apart).

#include <gtest/gtest.h>

#include "certs/credential_issuer.h"
#include "certs/jws.h"
#include "certs/pem.h"
#include "directory/key_registry.h"
#include "directory/store/sql_advertisement_store.h"
#include "directory/store/sql_feed_store.h"
#include "directory/store/sql_key_store.h"
#include "tests/support/test_pki.h"
#include "tests/support/test_postgres.h"

namespace keydir {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using testing::Identity;

// One directory's storage on one engine, written through its registry.
struct EngineUnderTest {
  std::unique_ptr<SqlKeyStore> keys;
  std::unique_ptr<SqlAdvertisementStore> ads;
  std::unique_ptr<SqlFeedStore> feed;
  std::unique_ptr<KeyRegistry> registry;
};

class EngineParityTest : public testing::SharedPkiTest {
 protected:
  void SetUp() override {
    for (const char* engine : {"sqlite", "postgres"}) {
      EngineUnderTest opened;
      auto store = SqlKeyStore::open(testing::storeTarget(engine, dir_), {}, FeedSettings{8, 1000});
      ASSERT_TRUE(store) << engine << ": " << store.error().message;
      opened.keys = std::move(*store);
      opened.ads = std::make_unique<SqlAdvertisementStore>(opened.keys->pool());
      opened.feed = std::make_unique<SqlFeedStore>(opened.keys->pool());
      opened.registry = std::make_unique<KeyRegistry>(*opened.keys, pki_->trust(), KeyPolicy{});
      engines_.push_back(std::move(opened));
    }
  }

  // Applies `write` to each engine and expects the same outcome of both.
  template <class Write>
  void onBoth(const Write& write) {
    for (auto& engine : engines_) write(engine);
  }

  std::string body(const Identity& who, hours valid_for) {
    auto issued =
        issueCredential(who.chain, who.key.get(), KeyType::kX25519, valid_for, pki_->now());
    return registrationBody(issued.value().credential, who.chain).dump();
  }
  std::string revocation(const Identity& signer, const std::string& id, const std::string& jti) {
    nlohmann::json payload = {
        {"sub", id}, {"iat", pki_->now().time_since_epoch().count()}, {"jti", jti}};
    return signJws({}, payload.dump(), signer.key.get(), signer.chain).value();
  }
  static NewAdvertisement advertisement(const std::string& id, Instant iat,
                                        const std::string& scope, const Identity& who) {
    NewAdvertisement ad;
    ad.id = id;
    ad.jws = "jws-of-" + id;
    ad.signer = "signer-of-acme";
    ad.iat = iat;
    ad.expires = iat + hours(24);
    ad.entries = {{TnScope::parse(scope).value(), "https://cps.example/" + id}};
    for (const auto& certificate : who.chain) ad.chain.push_back(certificateDer(certificate.get()));
    return ad;
  }

  testing::TempDir dir_;
  std::vector<EngineUnderTest> engines_;
};

TEST_F(EngineParityTest, TheSameWritesGiveTheSameFeedSnapshotBucketsAndAnswers) {
  const Instant now = pki_->now();
  std::vector<SpcAssignment> map = {{TnScope::parse("1-12025550000-10000").value(), "1234"},
                                    {TnScope::parse("2-12025559042").value(), "5678"}};
  const std::string carrier = body(pki_->carrier, hours(24));
  const std::string acme = body(pki_->acme, hours(24));
  const std::string short_lived = body(pki_->acme, hours(1));
  std::vector<std::string> ids;
  onBoth([&](EngineUnderTest& engine) {
    ASSERT_TRUE(engine.keys->importSpcMap(map, {}));
    auto first = engine.registry->registerKey(carrier, now);
    ASSERT_TRUE(first) << first.error().message;
    auto second = engine.registry->registerKey(acme, now);
    ASSERT_TRUE(second) << second.error().message;
    ASSERT_TRUE(engine.registry->registerKey(short_lived, now));
    if (ids.empty()) ids = {first->id, second->id};
    ASSERT_TRUE(engine.ads->publishAdvertisement(
        advertisement("ad-1", now, "1-12025550100-100", pki_->acme), now));
    ASSERT_TRUE(engine.ads->publishAdvertisement(
        advertisement("ad-2", now + seconds(1), "2-12025550150", pki_->acme), now));
  });
  const std::string revoked = revocation(pki_->carrier, ids[0], "jti-1");
  onBoth([&](EngineUnderTest& engine) {
    auto done = engine.registry->revoke(ids[0], revoked, now);
    ASSERT_TRUE(done) << done.error().message;
    ASSERT_TRUE(engine.feed->removeRecord("spc", "2-12025559042", "withdrawn", "ported", now));
    auto swept = engine.feed->sweepExpired(now + hours(2), 100);
    ASSERT_TRUE(swept);
    EXPECT_EQ(*swept, 1u) << "the key that lived an hour";
  });

  auto& sqlite = engines_[0];
  auto& postgres = engines_[1];
  const auto status = sqlite.feed->status().value();
  const auto other_status = postgres.feed->status().value();
  EXPECT_EQ(status.sequence, other_status.sequence);
  EXPECT_EQ(status.digest, other_status.digest);
  EXPECT_EQ(status.wide_digest, other_status.wide_digest);
  EXPECT_EQ(status.largest_bucket_bytes, other_status.largest_bucket_bytes);
  EXPECT_GE(status.sequence, 9);

  for (bool wide : {false, true}) {
    const auto page = sqlite.feed->changes(0, 1000, wide).value();
    const auto other = postgres.feed->changes(0, 1000, wide).value();
    EXPECT_EQ(page.to, other.to);
    EXPECT_EQ(page.digest, other.digest);
    ASSERT_EQ(page.changes.size(), other.changes.size());
    for (std::size_t i = 0; i < page.changes.size(); ++i) {
      const auto& a = page.changes[i];
      const auto& b = other.changes[i];
      EXPECT_EQ(std::tie(a.seq, a.op, a.kind, a.id, a.body, a.reason, a.detail),
                std::tie(b.seq, b.op, b.kind, b.id, b.body, b.reason, b.detail))
          << "change " << a.seq;
    }
    const auto short_page = postgres.feed->changes(2, 3, wide).value();
    const auto short_other = sqlite.feed->changes(2, 3, wide).value();
    EXPECT_EQ(short_page.to, short_other.to);
    EXPECT_EQ(short_page.more, short_other.more);
    EXPECT_EQ(short_page.digest, short_other.digest);
  }

  for (bool wide : {false, true}) {
    std::vector<std::string> lines[2];
    std::optional<SnapshotEnd> ends[2];
    for (int i = 0; i < 2; ++i) {
      ends[i] = engines_[std::size_t(i)]
                    .feed
                    ->snapshot(
                        wide, [](std::int64_t) { return true; },
                        [&](const SnapshotRecord& record) {
                          lines[i].push_back(record.kind + " " + record.id + " " + record.body);
                          return true;
                        })
                    .value();
      ASSERT_TRUE(ends[i]);
    }
    EXPECT_EQ(lines[0], lines[1]);
    EXPECT_EQ(ends[0]->seq, ends[1]->seq);
    EXPECT_EQ(ends[0]->count, ends[1]->count);
    EXPECT_EQ(ends[0]->digest, ends[1]->digest);
  }

  for (std::uint32_t bucket = 0; bucket < 256; ++bucket) {
    const auto one = sqlite.feed->bucket(bucket).value();
    const auto other = postgres.feed->bucket(bucket).value();
    EXPECT_EQ(one.keys, other.keys) << "bucket " << bucket;
    EXPECT_EQ(one.ads, other.ads) << "bucket " << bucket;
    EXPECT_EQ(one.spc, other.spc) << "bucket " << bucket;
    EXPECT_EQ(one.earliest_expiry, other.earliest_expiry) << "bucket " << bucket;
    EXPECT_EQ(one.digest, other.digest);
  }

  for (const char* tn : {"12025550100", "12025550150", "12025559042", "12025550199"}) {
    auto one = sqlite.registry->lookup(tn, now).value();
    auto other = postgres.registry->lookup(tn, now).value();
    EXPECT_EQ(one.as_of, other.as_of) << tn;
    ASSERT_EQ(one.keys.size(), other.keys.size()) << tn;
    for (std::size_t i = 0; i < one.keys.size(); ++i) {
      EXPECT_EQ(one.keys[i].record, other.keys[i].record) << tn;
    }
    auto cps = sqlite.ads->cpsForTn(tn, now).value();
    auto other_cps = postgres.ads->cpsForTn(tn, now).value();
    ASSERT_EQ(cps.size(), other_cps.size()) << tn;
    for (std::size_t i = 0; i < cps.size(); ++i) {
      EXPECT_EQ(cps[i].ad_id, other_cps[i].ad_id);
      EXPECT_EQ(cps[i].entry, other_cps[i].entry);
    }
  }
  const auto counts = sqlite.keys->counts(now).value();
  const auto other_counts = postgres.keys->counts(now).value();
  EXPECT_EQ(counts.keys, other_counts.keys);
  EXPECT_EQ(counts.spc_entries, other_counts.spc_entries);
  const auto stored = sqlite.keys->findKey(ids[1]).value();
  ASSERT_TRUE(stored);
  const std::string x5u = nlohmann::json::parse(stored->record)["x5u"];
  const std::string address = x5u.substr(x5u.rfind('/') + 1);
  EXPECT_EQ(sqlite.keys->certificatesPem(address).value(),
            postgres.keys->certificatesPem(address).value());
  EXPECT_EQ(sqlite.keys->ownNumbersAfter("", 100).value(),
            postgres.keys->ownNumbersAfter("", 100).value());
}

}  // namespace
}  // namespace keydir
