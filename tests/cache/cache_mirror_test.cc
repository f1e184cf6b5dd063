// keydir cache in mirror mode against a real directory: the same answers,
// no number ever named upstream, writes refused, changes followed within a
// poll, lies refused, outages ridden out, a crash during the first copy
// recovered.

#include <gtest/gtest.h>

#include <regex>

#include "tests/cache/cache_fixture.h"

namespace keydir {
namespace {

using testing::CacheTest;

// TNs of acme's range (registered keys) and outside every range.
const std::vector<std::string> kTns = {"12025550100", "12025550150", "12025550199",
                                       "12025559999", "14155550100", "19995550123"};

TEST_F(CacheTest, MirrorAnswersAsTheDirectoryDoesAndNamesNoNumberUpstream) {
  startDirectory();
  registerKey();
  registerKey();
  startCache();
  ASSERT_TRUE(eventually([&] { return caughtUp(); })) << cache_->log();
  proxy_->clearRequests();

  for (int i = 0; i < 100; ++i) {
    const std::string& tn = kTns[i % kTns.size()];
    const std::string route = i % 2 ? "/v1/tns/" + tn + "/keys" : "/v1/tns/" + tn + "/cps";
    HttpAnswer cached = get(*cache_, route);
    HttpAnswer direct = get(*directory_, route);
    ASSERT_EQ(cached.status, direct.status) << route;
    EXPECT_EQ(nlohmann::json::parse(cached.body), nlohmann::json::parse(direct.body)) << route;
    EXPECT_EQ(cached.headers["x-cache"], "hit");
    EXPECT_TRUE(cached.headers.contains("age"));
  }
  // Let a few polls go by too: they must not name a number either.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  auto asked = proxy_->requests();
  ASSERT_FALSE(asked.empty()) << "the cache kept polling";
  const std::regex allowed(R"(GET /v1/(snapshot|changes|meta|certs/)[^ ]*)");
  const std::regex number(R"(\d{7,})");
  for (const auto& request : asked) {
    EXPECT_TRUE(std::regex_match(request, allowed)) << request;
    EXPECT_FALSE(std::regex_search(request.substr(0, request.find('?')), number)) << request;
    EXPECT_EQ(request.find("/tns/"), std::string::npos) << request;
    EXPECT_EQ(request.find("/buckets/"), std::string::npos) << request;
  }
  EXPECT_GE(metric("keydir_cache_requests_total{result=\"hit\"}"), 100);
}

TEST_F(CacheTest, RefusesWritesAndDescribesItsOwnState) {
  startDirectory();
  std::string id = registerKey()["id"];
  startCache();
  ASSERT_TRUE(eventually([&] { return caughtUp(); })) << cache_->log();

  auto client = DirectoryClient::create(cache_->url()).value();
  for (const std::string& path : std::vector<std::string>{
           "/v1/keys", "/v1/keys/" + id + "/revocation", "/v1/advertisements"}) {
    auto answer = client.request("POST", path, "{}", "application/json").value();
    EXPECT_EQ(answer.status, 405) << path;
    EXPECT_EQ(errorFromProblem(answer).code, ErrorCode::kReadOnly) << answer.body;
  }
  EXPECT_TRUE(getJson(*directory_, "/v1/keys/" + id).contains("id")) << "still at the directory";

  auto meta = getJson(*cache_, "/v1/meta");
  auto upstream = getJson(*directory_, "/v1/meta");
  EXPECT_EQ(meta["mode"], "mirror");
  EXPECT_EQ(meta["upstream"], proxy_->url());
  EXPECT_EQ(meta["sequence"], upstream["sequence"]);
  EXPECT_EQ(meta["digest"], upstream["digest"]);
  EXPECT_EQ(meta["wide_digest"], upstream["wide_digest"]);
  EXPECT_EQ(meta["stale"], false);
  EXPECT_EQ(meta["refused"], 0);
  EXPECT_EQ(getJson(*cache_, "/healthz")["status"], "ok");
  // The certificates a key record names are served from the copy.
  std::string x5u = getJson(*directory_, "/v1/keys/" + id)["x5u"];
  std::string certs = x5u.substr(x5u.find("/v1/certs/"));
  EXPECT_EQ(get(*cache_, certs).body, get(*directory_, certs).body);
}

TEST_F(CacheTest, ARegistrationOrRevocationReachesTheMirrorAtTheNextPoll) {
  startDirectory();
  std::string kept = registerKey()["id"];
  std::string revoked = registerKey()["id"];
  startCache();
  ASSERT_TRUE(eventually([&] { return caughtUp(); })) << cache_->log();
  auto changes_polls = [&] {
    int polls = 0;
    for (const auto& request : proxy_->requests()) polls += request.starts_with("GET /v1/changes");
    return polls;
  };
  auto served = [&] { return keyIds(getJson(*cache_, "/v1/tns/12025550123/keys")); };

  revokeKey(revoked);
  std::string added = registerKey()["id"];
  const int polls_before = changes_polls();
  ASSERT_TRUE(eventually([&] {
    auto ids = served();
    return std::count(ids.begin(), ids.end(), added) == 1 &&
           std::count(ids.begin(), ids.end(), revoked) == 0;
  })) << cache_->log();
  EXPECT_LE(changes_polls() - polls_before, 1) << "the first poll after the writes carried both";
  auto ids = served();
  EXPECT_EQ(std::count(ids.begin(), ids.end(), kept), 1);
  EXPECT_EQ(keyIds(getJson(*directory_, "/v1/tns/12025550123/keys")), ids);
}

}  // namespace
}  // namespace keydir
