// keydir cache in buckets mode against a real directory: each miss asks for
// the number's bucket and its fixed decoys and names no number; held
// buckets answer locally, "no keys" included; concurrent misses share one
// request set; an outage leaves unheld numbers unanswerable (503) and held
// ones served stale; the address book is fetched at start.

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>

#include "directory/store/feed_hashes.h"
#include "tests/cache/cache_fixture.h"

namespace keydir {
namespace {

constexpr int kBits = 16;
const std::string kRegistered = "12025550123";

class CacheBucketsTest : public testing::CacheTest {
 protected:
  void startBucketsCache(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> arguments = {"--mode", "buckets", "--set", "decoys=3"};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    startCache(arguments);
    ASSERT_TRUE(eventually([&] { return caughtUp(); })) << cache_->log();
    proxy_->clearRequests();
  }
  // The buckets asked for since the last clearRequests, in order.
  std::vector<std::string> bucketsAsked() {
    std::vector<std::string> asked;
    for (const auto& request : proxy_->requests()) {
      EXPECT_EQ(request.find("/tns/"), std::string::npos) << request;
      if (request.starts_with("GET /v1/buckets/")) asked.push_back(request.substr(16));
    }
    return asked;
  }
  // A number outside every registered range whose bucket is `bucket`.
  static std::string unregisteredTnIn(std::uint32_t bucket) {
    for (long long n = 19990000000; n < 19999999999; ++n) {
      std::string tn = std::to_string(n);
      if (bucketOf(tn, kBits) == bucket) return tn;
    }
    return "";
  }
  static std::string hexOf(const std::string& tn) { return bucketHex(bucketOf(tn, kBits), kBits); }
};

TEST_F(CacheBucketsTest, AMissAsksForItsBucketAndThreeDecoysAndAHeldBucketAnswersLocally) {
  startDirectory();
  registerKey();
  registerKey();
  startBucketsCache();

  HttpAnswer miss = get(*cache_, "/v1/tns/" + kRegistered + "/keys");
  EXPECT_EQ(miss.status, 200);
  EXPECT_EQ(miss.headers["x-cache"], "miss");
  EXPECT_EQ(nlohmann::json::parse(miss.body),
            getJson(*directory_, "/v1/tns/" + kRegistered + "/keys"));
  auto asked = bucketsAsked();
  ASSERT_EQ(asked.size(), 4u) << "1 + decoys";
  EXPECT_EQ(std::set<std::string>(asked.begin(), asked.end()).size(), 4u) << "all different";
  EXPECT_EQ(std::count(asked.begin(), asked.end(), hexOf(kRegistered)), 1);
  const std::regex number(R"(\d{7,})");
  for (const auto& request : proxy_->requests()) {
    EXPECT_FALSE(std::regex_search(request, number)) << request;
  }

  // A hit, the CPS of the same number, and a number of the same bucket
  // with no keys: all from what it holds.
  proxy_->clearRequests();
  EXPECT_EQ(get(*cache_, "/v1/tns/" + kRegistered + "/keys").headers["x-cache"], "hit");
  EXPECT_EQ(getJson(*cache_, "/v1/tns/" + kRegistered + "/cps"),
            getJson(*directory_, "/v1/tns/" + kRegistered + "/cps"));
  std::string empty = unregisteredTnIn(bucketOf(kRegistered, kBits));
  ASSERT_FALSE(empty.empty());
  HttpAnswer none = get(*cache_, "/v1/tns/" + empty + "/keys");
  EXPECT_EQ(none.headers["x-cache"], "hit");
  EXPECT_EQ(nlohmann::json::parse(none.body)["keys"], nlohmann::json::array());
  EXPECT_TRUE(bucketsAsked().empty());
  EXPECT_EQ(getJson(*cache_, "/v1/meta")["buckets_held"], 4);
}

TEST_F(CacheBucketsTest, ARepeatedMissAfterExpiryAsksForTheSameSet) {
  directory_ = serve({"--set", "bucket_max_age_seconds=1"});
  proxy_ = std::make_unique<testing::TestProxy>(directory_->url());
  registerKey();
  // keep_seconds 0: no refresh ahead, so the second fetch is a miss.
  startBucketsCache({"--set", "keep_seconds=0"});

  get(*cache_, "/v1/tns/" + kRegistered + "/keys");
  auto first = bucketsAsked();
  ASSERT_EQ(first.size(), 4u);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  proxy_->clearRequests();
  HttpAnswer again = get(*cache_, "/v1/tns/" + kRegistered + "/keys");
  EXPECT_EQ(again.headers["x-cache"], "miss");
  auto second = bucketsAsked();
  ASSERT_EQ(second.size(), 4u);
  EXPECT_EQ(std::set<std::string>(first.begin(), first.end()),
            std::set<std::string>(second.begin(), second.end()))
      << "the decoys are fixed by the cache's secret";
}

TEST_F(CacheBucketsTest, ABucketInUseIsRefreshedBeforeItExpiresWithTheSameDecoys) {
  directory_ = serve({"--set", "bucket_max_age_seconds=3"});
  proxy_ = std::make_unique<testing::TestProxy>(directory_->url());
  registerKey();
  startBucketsCache();
  get(*cache_, "/v1/tns/" + kRegistered + "/keys");
  auto first = bucketsAsked();
  ASSERT_EQ(first.size(), 4u);
  // No lookup meanwhile: the refresher asks again on its own.
  ASSERT_TRUE(eventually([&] { return bucketsAsked().size() >= 8; }, 15)) << cache_->log();
  auto asked = bucketsAsked();
  EXPECT_EQ(std::set<std::string>(asked.begin(), asked.end()),
            std::set<std::string>(first.begin(), first.end()));
  // Once the refreshed answer is kept (the request may still be in flight).
  EXPECT_TRUE(eventually(
      [&] { return get(*cache_, "/v1/tns/" + kRegistered + "/keys").headers["x-cache"] == "hit"; },
      5));
}

TEST_F(CacheBucketsTest, ConcurrentMissesForOneBucketMakeOneRequestSet) {
  startDirectory();
  registerKey();
  startBucketsCache();
  std::vector<std::thread> clients;
  std::vector<int> statuses(8);
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back(
        [&, i] { statuses[i] = get(*cache_, "/v1/tns/" + kRegistered + "/keys").status; });
  }
  for (auto& client : clients) client.join();
  for (int status : statuses) EXPECT_EQ(status, 200);
  EXPECT_EQ(bucketsAsked().size(), 4u);
}

TEST_F(CacheBucketsTest, WithTheDirectoryDownAnUnheldNumberIs503AndAHeldOneIsServedStale) {
  directory_ = serve({"--set", "bucket_max_age_seconds=1"});
  proxy_ = std::make_unique<testing::TestProxy>(directory_->url());
  std::string id = registerKey()["id"];
  startBucketsCache({"--set", "keep_seconds=0"});
  ASSERT_EQ(get(*cache_, "/v1/tns/" + kRegistered + "/keys").status, 200);

  proxy_->setDown(true);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the bucket's answer expires
  HttpAnswer stale = get(*cache_, "/v1/tns/" + kRegistered + "/keys");
  EXPECT_EQ(stale.status, 200);
  EXPECT_EQ(stale.headers["x-cache"], "stale");
  EXPECT_EQ(stale.headers["warning"], "110 - \"Response is Stale\"");
  EXPECT_EQ(keyIds(nlohmann::json::parse(stale.body)), std::vector<std::string>{id})
      << "an unexpired key is served through an outage";

  std::string never = "14155550100";
  HttpAnswer unavailable = get(*cache_, "/v1/tns/" + never + "/keys");
  EXPECT_EQ(unavailable.status, 503) << unavailable.body;
  EXPECT_EQ(errorFromProblem(unavailable).code, ErrorCode::kUnavailable);

  proxy_->setDown(false);
  ASSERT_TRUE(eventually([&] { return get(*cache_, "/v1/tns/" + never + "/keys").status == 200; }))
      << "back after its backoff: " << cache_->log();
}

TEST_F(CacheBucketsTest, NothingFromAFailedOrForgedBucketAnswerIsKept) {
  startDirectory();
  std::string id = registerKey()["id"];
  startBucketsCache({"--set", "backoff_max_seconds=1"});
  const std::string own = hexOf(kRegistered);

  // The number's bucket answers 500: nothing is held, the lookup is 503.
  proxy_->setRewrite([&](const std::string&, const std::string& target, int& status, std::string&) {
    if (target == "/v1/buckets/" + own) status = 500;
  });
  HttpAnswer failed = get(*cache_, "/v1/tns/" + kRegistered + "/keys");
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_GE(metric("keydir_cache_upstream_requests_total{kind=\"buckets\",status=\"500\"}"), 1);

  // Then a forged key in it: the answer is kept without the key.
  proxy_->setRewrite([&](const std::string&, const std::string& target, int&, std::string& body) {
    if (target != "/v1/buckets/" + own) return;
    auto answer = nlohmann::json::parse(body);
    for (auto& key : answer["keys"]) {
      std::string& x = key["jwk"]["x"].get_ref<std::string&>();
      x[0] = x[0] == 'A' ? 'B' : 'A';
    }
    body = answer.dump();
  });
  ASSERT_TRUE(eventually([&] {
    return get(*cache_, "/v1/tns/" + kRegistered + "/keys").status == 200;
  })) << "after its backoff: "
      << cache_->log();
  EXPECT_EQ(getJson(*cache_, "/v1/tns/" + kRegistered + "/keys")["keys"], nlohmann::json::array());
  EXPECT_EQ(metric("keydir_cache_records_refused_total{reason=\"bad-signature\"}"), 1);
  EXPECT_NE(cache_->log().find("refused key " + id + " in bucket " + own), std::string::npos)
      << cache_->log();
}

TEST_F(CacheBucketsTest, TheAddressBookIsFetchedAtStartAndAnsweredLocally) {
  startDirectory();
  registerKey();
  testing::writeText(dir_ / "book.txt", "# callees\n+1 202 555 0123\n\n");
  startCache({"--mode", "buckets", "--address-book", (dir_ / "book.txt").string()});
  ASSERT_TRUE(eventually([&] { return caughtUp(); })) << cache_->log();
  ASSERT_TRUE(eventually([&] {
    auto asked = bucketsAsked();
    return std::count(asked.begin(), asked.end(), hexOf(kRegistered)) == 1;
  })) << cache_->log();
  // Asked is not yet held: wait for the answers to be kept, decoys too.
  ASSERT_TRUE(eventually([&] { return getJson(*cache_, "/v1/meta")["buckets_held"] == 4; }))
      << cache_->log();
  proxy_->clearRequests();
  EXPECT_EQ(get(*cache_, "/v1/tns/" + kRegistered + "/keys").headers["x-cache"], "hit");
  EXPECT_TRUE(bucketsAsked().empty());
}

}  // namespace
}  // namespace keydir
