// FeedFollower against a real directory: it converges on the directory's
// live set through a snapshot and the change feed, and refuses what a lying
// directory feeds it, naming the change.

#include "directory/feed_follower.h"

#include <random>
#include <sstream>
#include <thread>

#include "directory/store/sql_advertisement_store.h"
#include "directory/store/sql_feed_store.h"
#include "tests/directory/feed_fixture.h"
#include "tests/support/test_proxy.h"

namespace keydir {
namespace {

using std::chrono::hours;

class FeedFollowerTest : public testing::FeedTest {
 protected:
  void openReplica() {
    nlohmann::json upstream = meta();
    replica_ = SqlKeyStore::open(dir_ / "replica.db", {},
                                 FeedSettings{upstream["bucket_bits"], upstream["wide_threshold"]})
                   .value();
    replica_ads_ = std::make_unique<SqlAdvertisementStore>(replica_->pool());
    replica_feed_ = std::make_unique<SqlFeedStore>(replica_->pool());
    trust_ = std::make_unique<TrustStore>(TrustStore::load(config_.trust, {}).value());
    follower_ = std::make_unique<FeedFollower>(*client_, *replica_, *replica_ads_, *replica_feed_,
                                               *trust_, *clock_);
  }
  std::string replicaDigest() { return replica_feed_->status().value().digest; }

  std::unique_ptr<SqlKeyStore> replica_;
  std::unique_ptr<SqlAdvertisementStore> replica_ads_;
  std::unique_ptr<SqlFeedStore> replica_feed_;
  std::unique_ptr<TrustStore> trust_;
  std::unique_ptr<FeedFollower> follower_;
};

// The directory on each engine: on PostgreSQL the snapshot is a cursor in
// one REPEATABLE READ transaction while the writes go on.
class FeedFollowerEngineTest : public FeedFollowerTest,
                               public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    FeedFollowerTest::SetUp();
    config_.db = testing::storeTarget(GetParam(), dir_);
  }
};
INSTANTIATE_TEST_SUITE_P(BothEngines, FeedFollowerEngineTest,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

TEST_P(FeedFollowerEngineTest,
       EndsWithTheDirectorysLiveSetAfterAThousandWritesSomeDuringTheSnapshot) {
  startServer();
  std::mt19937 random(7);  // fixed: the same mix every run
  std::vector<std::string> live;
  int jti = 0;
  auto write = [&] {
    if (!live.empty() && random() % 4 == 0) {
      std::size_t pick = random() % live.size();
      ASSERT_EQ(revoke(live[pick], "j" + std::to_string(jti++)).status, 200);
      live.erase(live.begin() + long(pick));
    } else {
      live.push_back(registered(random() % 3 ? pki_->acme : pki_->carrier));
    }
  };
  for (int i = 0; i < 700; ++i) write();
  openReplica();
  std::thread writer([&] {
    for (int i = 0; i < 300; ++i) write();
  });
  auto first = follower_->sync();
  writer.join();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(first->snapshot_taken);
  EXPECT_TRUE(first->refused.empty()) << first->refused.front().detail;
  auto caught_up = follower_->sync();
  ASSERT_TRUE(caught_up) << caught_up.error().message;
  EXPECT_FALSE(caught_up->snapshot_taken);
  nlohmann::json upstream = meta();
  EXPECT_EQ(caught_up->sequence, upstream["sequence"]);
  EXPECT_EQ(replicaDigest(), upstream["digest"]);
  EXPECT_EQ(replica_->counts(clock_->now()).value().keys, std::int64_t(live.size()));
  // A lookup in the replica answers what the directory answers.
  auto here = replica_->keysForTn("12025550150", clock_->now()).value();
  EXPECT_EQ(here.size(), idsFor("12025550150").size());
}

TEST_F(FeedFollowerTest, RefusesAForgedRecordAndRemovalsWithoutProofNamingTheChange) {
  startServer();
  std::string honest = registered(pki_->acme);
  std::string kept = registered(pki_->acme);
  std::string expired_claim = registered(pki_->acme);
  openReplica();
  ASSERT_TRUE(follower_->sync());
  std::string forged = registered(pki_->acme);
  ASSERT_EQ(revoke(kept, "j1").status, 200);
  ASSERT_EQ(revoke(expired_claim, "j2").status, 200);
  // The directory lies: a new record's key swapped, a revocation's proof
  // made junk, another removal's reason made "expired" for a live key.
  {
    auto db = SqliteDatabase::open(config_.db).value();
    ASSERT_TRUE(
        db->execute("UPDATE keys SET record = replace(record, '\"x\":\"', "
                    "'\"x\":\"A') WHERE id = '" +
                    forged + "'"));
    ASSERT_TRUE(
        db->execute("UPDATE feed SET detail = 'e30.e30.e30' WHERE reason = 'revoked' "
                    "AND id = '" +
                    kept + "'"));
    ASSERT_TRUE(
        db->execute("UPDATE feed SET reason = 'expired', detail = NULL WHERE "
                    "reason = 'revoked' AND id = '" +
                    expired_claim + "'"));
  }
  auto report = follower_->sync();
  ASSERT_TRUE(report) << report.error().message;
  std::map<std::string, Refusal> by_id;
  for (const auto& refusal : report->refused) by_id[refusal.id] = refusal;
  ASSERT_EQ(by_id.size(), 3u);
  EXPECT_EQ(by_id[forged].what, "put");
  EXPECT_EQ(by_id[forged].reason, "bad-signature");
  EXPECT_EQ(by_id[kept].what, "remove");
  EXPECT_NE(
      by_id[kept].detail.find("change " + std::to_string(by_id[kept].seq) + ": removal (revoked)"),
      std::string::npos)
      << by_id[kept].detail;
  EXPECT_EQ(by_id[expired_claim].reason, "not-authorized");
  EXPECT_NE(by_id[expired_claim].detail.find("expires only at"), std::string::npos);
  auto held = [&](const std::string& id) { return replica_feed_->holds("key", id).value(); };
  EXPECT_TRUE(held(honest));
  EXPECT_FALSE(held(forged)) << "a forged key is never kept";
  EXPECT_TRUE(held(kept)) << "a claimed revocation without proof drops nothing";
  EXPECT_TRUE(held(expired_claim));
  // Refusals count in the digest check: the follower reached the present.
  EXPECT_EQ(report->sequence, meta()["sequence"]);
}

TEST_F(FeedFollowerTest, ADigestThatDisagreesStopsTheFollowerWhereItWas) {
  startServer();
  registered(pki_->acme);
  openReplica();
  auto first = follower_->sync();
  ASSERT_TRUE(first);
  const std::string unchecked = registered(pki_->acme);
  {
    auto db = SqliteDatabase::open(config_.db).value();
    ASSERT_TRUE(db->execute("UPDATE feed_state SET digest = zeroblob(32)"));
  }
  auto second = follower_->sync();
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kBadSignature);
  EXPECT_NE(second.error().message.find("the sequence stays at " + std::to_string(first->sequence)),
            std::string::npos)
      << second.error().message;
  EXPECT_EQ(replica_feed_->followerState().value()->sequence, first->sequence);
  EXPECT_FALSE(replica_feed_->holds("key", unchecked).value())
      << "the page that did not add up left nothing: the replica is its last good state";
}

TEST_F(FeedFollowerTest, RefusesAChangesPageOrSnapshotWhoseSequenceGoesBackwards) {
  startServer();
  const std::string held = registered(pki_->acme);
  testing::TestProxy liar(client_->baseUrl());
  auto through_liar = DirectoryClient::create(liar.url()).value();
  openReplica();
  follower_ = std::make_unique<FeedFollower>(through_liar, *replica_, *replica_ads_, *replica_feed_,
                                             *trust_, *clock_);
  auto first = follower_->sync();
  ASSERT_TRUE(first) << first.error().message;
  const std::string kept = registered(pki_->acme);
  registered(pki_->acme);

  // A page whose second change has the first one's sequence.
  liar.setRewrite([](const std::string&, const std::string& target, int&, std::string& body) {
    if (target.starts_with("/v1/changes")) {
      auto page = nlohmann::json::parse(body);
      page["changes"][1]["seq"] = page["changes"][0]["seq"];
      body = page.dump();
    }
  });
  auto backwards = follower_->sync();
  ASSERT_FALSE(backwards);
  EXPECT_EQ(backwards.error().code, ErrorCode::kMalformed);
  const std::string second_seq = std::to_string(first->sequence + 1);
  EXPECT_NE(
      backwards.error().message.find("change " + second_seq + ": its sequence does not follow"),
      std::string::npos)
      << backwards.error().message;
  EXPECT_EQ(replica_feed_->followerState().value()->sequence, first->sequence)
      << "a refused page does not advance the sequence";
  EXPECT_FALSE(replica_feed_->holds("key", kept).value())
      << "nor leaves any of its changes behind: they are applied in one transaction";

  // A snapshot from before what the replica reached: a rollback.
  liar.setRewrite([](const std::string&, const std::string& target, int&, std::string& body) {
    if (target.starts_with("/v1/snapshot")) {
      body.replace(0, body.find('\n'), R"({"kind":"begin","seq":1})");
    }
  });
  auto rollback = follower_->takeSnapshot();
  ASSERT_FALSE(rollback);
  EXPECT_NE(rollback.error().message.find("rollback refused"), std::string::npos)
      << rollback.error().message;
  EXPECT_TRUE(replica_feed_->holds("key", held).value()) << "nothing held was dropped";

  liar.setRewrite(nullptr);
  auto honest = follower_->sync();
  ASSERT_TRUE(honest) << honest.error().message;
  EXPECT_EQ(replicaDigest(), meta()["digest"]);
}

TEST_F(FeedFollowerTest, ASnapshotThatDoesNotCheckOutDropsNothingHeld) {
  startServer();
  const std::string kept = registered(pki_->acme);
  registered(pki_->acme);
  testing::TestProxy liar(client_->baseUrl());
  auto through_liar = DirectoryClient::create(liar.url()).value();
  openReplica();
  follower_ = std::make_unique<FeedFollower>(through_liar, *replica_, *replica_ads_, *replica_feed_,
                                             *trust_, *clock_);
  ASSERT_TRUE(follower_->sync());
  // A snapshot that leaves one key out but keeps the honest digest.
  liar.setRewrite([&](const std::string&, const std::string& target, int&, std::string& body) {
    if (!target.starts_with("/v1/snapshot")) return;
    std::string kept_lines;
    std::istringstream lines(body);
    for (std::string line; std::getline(lines, line);) {
      if (line.find("\"id\":\"" + kept + "\"") == std::string::npos) kept_lines += line + "\n";
    }
    body = kept_lines;
  });
  auto snapshot = follower_->takeSnapshot();
  ASSERT_FALSE(snapshot);
  EXPECT_EQ(snapshot.error().code, ErrorCode::kBadSignature);
  EXPECT_NE(snapshot.error().message.find("nothing held was dropped"), std::string::npos);
  EXPECT_TRUE(replica_feed_->holds("key", kept).value());
}

}  // namespace
}  // namespace keydir
