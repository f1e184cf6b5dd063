// keydir cache in mirror mode against a real directory: the same answers,
// no number ever named upstream, writes refused, changes followed within a
// poll, lies refused, outages ridden out, a crash during the first copy
// recovered.

#include <gtest/gtest.h>

#include <regex>

#include "directory/store/connection_pool.h"
#include "directory/store/sqlite.h"
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
  testing::keydirJson("advertise --cert " + pki_ + "/acme.chain.pem --key " + pki_ +
                      "/acme.key --entry 1-12025550100-100=https://cps.acme.example --publish " +
                      directory_->url());
  const auto access_log = dir_ / "cache-access.log";
  startCache({"--set", "access_log=" + access_log.string()});
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
  EXPECT_EQ(getJson(*cache_, "/v1/tns/12025550150/cps")["cps"].size(), 1u)
      << "the advertisement came through the feed";
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
  // Its own access log names no number either.
  std::string logged = testing::readText(access_log);
  EXPECT_GE(std::count(logged.begin(), logged.end(), '\n'), 100);
  EXPECT_FALSE(std::regex_search(logged, number)) << logged.substr(0, 2000);
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

TEST_F(CacheTest, AnAdvertisementReachesTheMirrorsHeldCpsAnswersAtTheNextPoll) {
  startDirectory();
  startCache();
  ASSERT_TRUE(eventually([&] { return caughtUp(); })) << cache_->log();
  auto uris = [&] {
    const nlohmann::json found = getJson(*cache_, "/v1/tns/12025550150/cps");
    std::vector<std::string> list;
    for (const auto& entry : found["cps"]) list.push_back(entry["uri"]);
    return list;
  };
  // Answered, then held: none yet.
  EXPECT_TRUE(uris().empty());
  EXPECT_TRUE(uris().empty());
  EXPECT_EQ(metric("keydir_cps_answers_held"), 1);
  testing::keydirJson("advertise --cert " + pki_ + "/acme.chain.pem --key " + pki_ +
                      "/acme.key --entry 1-12025550100-100=https://cps.acme.example --publish " +
                      directory_->url());
  EXPECT_TRUE(eventually([&] {
    return uris() == std::vector<std::string>{"https://cps.acme.example"};
  })) << "the held answer outlived the advertisement's arrival\n"
      << cache_->log();
}

TEST_F(CacheTest, AKeyGoneLongerThanTheFeedKeepsChangesIsForgottenByTheCacheToo) {
  directory_ = serve({"--set", "expiry_sweep_seconds=1", "--set", "feed_retention_seconds=2"});
  proxy_ = std::make_unique<testing::TestProxy>(directory_->url());
  testing::keydirJson("credential new --cert " + pki_ + "/acme.chain.pem --key " + pki_ +
                      "/acme.key --valid-for 8s --out " + (dir_ / "brief").string());
  std::string brief = testing::keydirJson("register --server " + directory_->url() +
                                          " --credential " + (dir_ / "brief").string())["id"];
  std::string kept = registerKey()["id"];
  startCache({"--set", "feed_retention_seconds=2"});
  auto served = [&] { return keyIds(getJson(*cache_, "/v1/tns/12025550123/keys")); };
  ASSERT_TRUE(eventually([&] { return served().size() == 2; })) << cache_->log();

  // The cache's own file, read beside it as a second reader.
  auto pool = ConnectionPool::open((dir_ / "cache.db").string()).value();
  auto rows_of = [&](const std::string& id) {
    auto db = pool->borrow();
    auto count = db->prepare(
        "SELECT (SELECT COUNT(*) FROM keys WHERE id = ?1)"
        " + (SELECT COUNT(*) FROM key_blocks WHERE key_id = ?1)"
        " + (SELECT COUNT(*) FROM feed WHERE kind = 'key' AND id = ?1)");
    EXPECT_TRUE(count->bind(1, id).step().value());
    return count->integer(0);
  };
  EXPECT_EQ(rows_of(brief), 3) << "its row, its block and its put";
  ASSERT_TRUE(eventually([&] { return get(*directory_, "/v1/keys/" + brief).status == 404; }))
      << "the directory forgets it once its expiry is older than the changes it keeps";
  ASSERT_TRUE(eventually([&] { return rows_of(brief) == 0; })) << cache_->log();
  EXPECT_EQ(served(), std::vector<std::string>{kept});
  EXPECT_EQ(rows_of(kept), 2) << "a live key keeps its row and block; its put has aged out";
}

// Edits the list of changes of `body` when it is a changes page.
void editChanges(std::string& body, const std::function<void(nlohmann::json&)>& edit) {
  auto page = nlohmann::json::parse(body, nullptr, false);
  if (!page.is_object() || !page.contains("changes")) return;
  edit(page["changes"]);
  body = page.dump();
}

// Alters one change of every changes page that names `id`.
void alterChange(std::string& body, const std::string& id,
                 const std::function<void(nlohmann::json&)>& alter) {
  editChanges(body, [&](nlohmann::json& changes) {
    for (auto& change : changes) {
      if (change["id"] == id) alter(change);
    }
  });
}

// Leaves the changes of `id` out of a changes page: the cache's digest then
// disagrees after that batch, and a fresh snapshot is swapped in.
void leaveOutChange(std::string& body, const std::string& id) {
  editChanges(body, [&](nlohmann::json& changes) {
    nlohmann::json left = nlohmann::json::array();
    for (const auto& change : changes) {
      if (change["id"] != id) left.push_back(change);
    }
    changes = left;
  });
}

TEST_F(CacheTest, ALyingDirectoryCannotMakeItServeAForgedKeyOrDropAValidOne) {
  startDirectory();
  std::string kept = registerKey()["id"];
  startCache();
  ASSERT_TRUE(eventually([&] { return caughtUp(); })) << cache_->log();

  // The directory is out of the cache's reach while the two keys it will
  // lie about are registered: a poll between a registration and the lie
  // would carry the honest change (a race CI lost once).
  proxy_->setDown(true);
  nlohmann::json forged = registerKey();
  nlohmann::json rescoped = registerKey();
  std::string forged_id = forged["id"], rescoped_id = rescoped["id"];
  // The directory lies about three changes: a key swapped under a valid
  // credential, a key claiming numbers its certificate does not hold, and a
  // revocation whose proof is junk.
  proxy_->setRewrite([&](const std::string&, const std::string& target, int&, std::string& body) {
    if (!target.starts_with("/v1/changes")) return;
    alterChange(body, forged_id, [](nlohmann::json& change) {
      std::string& x = change["body"]["jwk"]["x"].get_ref<std::string&>();
      x[0] = x[0] == 'A' ? 'B' : 'A';
    });
    alterChange(body, rescoped_id,
                [](nlohmann::json& change) { change["body"]["scope"] = "1-12025550100-10"; });
    alterChange(body, kept, [](nlohmann::json& change) {
      if (change.value("reason", "") == "revoked") change["proof"] = "e30.e30.e30";
    });
  });
  revokeKey(kept);
  proxy_->setDown(false);
  // The polls that met the proxy down have backed off (1 s doubling, with
  // jitter), and under the sanitizers the writes above take seconds.
  ASSERT_TRUE(eventually([&] { return caughtUp(); }, 60)) << cache_->log();

  auto ids = keyIds(getJson(*cache_, "/v1/tns/12025550123/keys"));
  EXPECT_EQ(std::count(ids.begin(), ids.end(), kept), 1) << "a claimed revocation dropped nothing";
  EXPECT_EQ(std::count(ids.begin(), ids.end(), forged_id), 0) << "a forged key is never served";
  EXPECT_EQ(std::count(ids.begin(), ids.end(), rescoped_id), 0);
  EXPECT_EQ(getJson(*cache_, "/v1/meta")["refused"], 3);
  EXPECT_EQ(metric("keydir_cache_records_refused_total{reason=\"bad-signature\"}"), 2)
      << "the swapped key and the junk proof";
  EXPECT_EQ(metric("keydir_cache_records_refused_total{reason=\"scope-mismatch\"}"), 1);
  std::string log = cache_->log();
  EXPECT_NE(log.find("refused put of key " + forged_id), std::string::npos) << log;
  EXPECT_NE(log.find("refused remove of key " + kept), std::string::npos) << log;
  EXPECT_FALSE(std::regex_search(log, std::regex(R"(1202555\d{4})"))) << "no full TN in the log";

  // A page that starts before the sequence reached: a rollback, refused.
  const std::int64_t reached = getJson(*cache_, "/v1/meta")["sequence"];
  proxy_->setRewrite([](const std::string&, const std::string& target, int&, std::string& body) {
    if (!target.starts_with("/v1/changes")) return;
    auto page = nlohmann::json::parse(body);
    page["since"] = page["since"].get<std::int64_t>() - 1;
    body = page.dump();
  });
  registerKey();
  ASSERT_TRUE(eventually([&] { return metric("keydir_cache_rollbacks_refused_total") >= 1; }))
      << cache_->log();
  EXPECT_EQ(getJson(*cache_, "/v1/meta")["sequence"], reached);

  // A digest that does not add up: the sequence stays, a snapshot is taken.
  proxy_->setRewrite([](const std::string&, const std::string& target, int&, std::string& body) {
    if (!target.starts_with("/v1/changes")) return;
    auto page = nlohmann::json::parse(body);
    page["digest"] = std::string(64, '0');
    body = page.dump();
  });
  ASSERT_TRUE(eventually([&] { return metric("keydir_cache_digest_mismatches_total") >= 1; }))
      << cache_->log();
  proxy_->setRewrite(nullptr);
  ASSERT_TRUE(eventually([&] { return caughtUp(); })) << cache_->log();
  EXPECT_EQ(getJson(*cache_, "/v1/meta")["digest"], getJson(*directory_, "/v1/meta")["digest"]);
}

TEST_F(CacheTest, AFreshSnapshotIsSwappedInWholeOnlyOnceItChecksOut) {
  startDirectory();
  std::string held = registerKey()["id"];
  startCache();
  ASSERT_TRUE(eventually([&] { return caughtUp(); })) << cache_->log();
  const std::int64_t reached = getJson(*cache_, "/v1/meta")["sequence"];

  // A new key the changes page leaves out, so that its digest disagrees,
  // and a snapshot that holds the key but whose end line promises another
  // digest than its records make. The lie is in place before the key is
  // registered: a poll between the two would otherwise see the honest page
  // (it did, under load beside other suites).
  const std::string first_page = "/v1/changes?since=" + std::to_string(reached) + "&";
  proxy_->clearRequests();
  proxy_->setRewrite([&](const std::string&, const std::string& target, int&, std::string& body) {
    if (target.starts_with(first_page)) {
      editChanges(body, [&](nlohmann::json& changes) {
        nlohmann::json left = nlohmann::json::array();
        for (const auto& change : changes) {
          if (change["kind"] != "key" || change["id"] == held) left.push_back(change);
        }
        changes = left;
      });
    }
    if (target.starts_with("/v1/snapshot")) {
      const std::size_t value = body.find("\"digest\":\"", body.rfind("\"kind\":\"end\"")) + 10;
      body.replace(value, 64, std::string(64, '0'));
    }
  });
  const std::string added = registerKey()["id"];
  ASSERT_TRUE(eventually([&] {
    for (const auto& request : proxy_->requests()) {
      if (request.starts_with("GET /v1/snapshot")) return true;
    }
    return false;
  })) << cache_->log();
  // Up to 60 s: after the digest mismatch the cache's polls back off, and
  // under the sanitizers with other suites beside it the snapshot that
  // fails came after 20 s once (CI, 2026-12-05).
  ASSERT_TRUE(eventually(
      [&] { return cache_->log().find("fresh snapshot (thrown away") != std::string::npos; }, 60))
      << cache_->log();
  // The snapshot held the new key, verified; it still was not served,
  // because the snapshot as a whole did not check out.
  auto ids = keyIds(getJson(*cache_, "/v1/tns/12025550123/keys"));
  EXPECT_EQ(std::count(ids.begin(), ids.end(), held), 1);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), added), 0) << "nothing from a failed snapshot";
  EXPECT_EQ(getJson(*cache_, "/v1/meta")["sequence"], reached);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "cache.db.resnapshot"));

  // The first page still disagrees, but the snapshot is honest now: it is
  // swapped in, the cache's secret kept.
  auto secret = [&] {
    auto db = SqliteDatabase::open(dir_ / "cache.db").value();
    auto select = db->prepare("SELECT value FROM cache_state WHERE name = 'secret'").value();
    return select.step().value() ? select.text(0) : std::string();
  };
  const std::string secret_before = secret();
  ASSERT_EQ(secret_before.size(), 64u);
  proxy_->setRewrite([&](const std::string&, const std::string& target, int&, std::string& body) {
    if (!target.starts_with(first_page)) return;
    const std::size_t value = body.find("\"digest\":\"") + 10;
    body.replace(value, 64, std::string(64, '0'));
  });
  ASSERT_TRUE(eventually([&] {
    return cache_->log().find("swapped in a fresh snapshot") != std::string::npos;
  })) << cache_->log();
  proxy_->setRewrite(nullptr);
  ASSERT_TRUE(eventually([&] { return caughtUp(); })) << cache_->log();
  ids = keyIds(getJson(*cache_, "/v1/tns/12025550123/keys"));
  EXPECT_EQ(std::count(ids.begin(), ids.end(), added), 1);
  EXPECT_EQ(getJson(*cache_, "/v1/meta")["digest"], getJson(*directory_, "/v1/meta")["digest"]);
  EXPECT_EQ(secret(), secret_before) << "the cache's secret survives the swap";
}

TEST_F(CacheTest, AnswersHeldBeforeAFreshSnapshotIsSwappedInAreNotServedAfter) {
  startDirectory();
  std::string revoked = registerKey()["id"];
  startCache();
  ASSERT_TRUE(eventually([&] { return caughtUp(); })) << cache_->log();
  // Held in memory: the second lookup is answered from it.
  for (int i = 0; i < 2; ++i) {
    auto ids = keyIds(getJson(*cache_, "/v1/tns/12025550123/keys"));
    ASSERT_EQ(std::count(ids.begin(), ids.end(), revoked), 1);
  }
  // The pages leave the revocation out; the fresh snapshot swapped in
  // lacks the key.
  proxy_->setRewrite([&](const std::string&, const std::string& target, int&, std::string& body) {
    if (target.starts_with("/v1/changes")) leaveOutChange(body, revoked);
  });
  revokeKey(revoked);
  ASSERT_TRUE(eventually([&] {
    return cache_->log().find("swapped in a fresh snapshot") != std::string::npos;
  })) << cache_->log();
  auto ids = keyIds(getJson(*cache_, "/v1/tns/12025550123/keys"));
  EXPECT_EQ(std::count(ids.begin(), ids.end(), revoked), 0)
      << "an answer held from the file before the swap was served";
}

TEST_F(CacheTest, AnswersMadeAheadComeAfterTheFirstCopyAndAgainFromAFreshSnapshot) {
  testing::keydirJson("pki issue " + pki_ +
                      " --name solo --type enterprise --issuer carrier --tn " +
                      "12025550123 --spc-map " + (dir_ / "map.csv").string());
  auto register_solo = [&](const std::string& name) -> std::string {
    return testing::keydirJson("register --server " + directory_->url() + " --credential " +
                               credential("solo", name))["id"];
  };
  auto passes = [&] {
    std::string log = cache_->log();
    std::size_t count = 0;
    for (auto at = log.find("lookup answers made ahead: 1 held"); at != std::string::npos;
         at = log.find("lookup answers made ahead: 1 held", at + 1)) {
      ++count;
    }
    return count;
  };
  startDirectory();
  std::string kept = register_solo("solo1");
  std::string revoked = register_solo("solo2");
  startCache({"--set", "lookup_answers_prefill=true"});
  ASSERT_TRUE(eventually([&] { return caughtUp() && passes() == 1; })) << cache_->log();
  EXPECT_EQ(metric("keydir_lookup_answers_held"), 1) << "made before any lookup asked";

  // The fresh snapshot swapped in drops every held answer. The next pass
  // makes the number's answer again from the new file, which lacks the
  // revoked key.
  proxy_->setRewrite([&](const std::string&, const std::string& target, int&, std::string& body) {
    if (target.starts_with("/v1/changes")) leaveOutChange(body, revoked);
  });
  revokeKey(revoked);
  ASSERT_TRUE(eventually([&] {
    return cache_->log().find("swapped in a fresh snapshot") != std::string::npos && passes() == 2;
  })) << cache_->log();
  EXPECT_EQ(metric("keydir_lookup_answers_held"), 1);
  EXPECT_EQ(keyIds(getJson(*cache_, "/v1/tns/12025550123/keys")), std::vector<std::string>{kept});
  EXPECT_EQ(get(*cache_, "/v1/tns/12025550123/keys").headers["x-cache"], "hit");
}

TEST_F(CacheTest, ServesThroughAnOutageMarkedStaleAndCatchesUpAfter) {
  startDirectory();
  std::string id = registerKey()["id"];
  startCache({"--set", "max_staleness_seconds=2", "--set", "backoff_max_seconds=1"});
  ASSERT_TRUE(eventually([&] { return caughtUp(); })) << cache_->log();

  proxy_->setDown(true);
  ASSERT_TRUE(eventually([&] { return getJson(*cache_, "/v1/meta")["stale"] == true; }))
      << cache_->log();
  HttpAnswer stale = get(*cache_, "/v1/tns/12025550123/keys");
  EXPECT_EQ(stale.status, 200);
  EXPECT_EQ(stale.headers["x-cache"], "stale");
  EXPECT_EQ(stale.headers["warning"], "110 - \"Response is Stale\"");
  EXPECT_EQ(keyIds(nlohmann::json::parse(stale.body)), std::vector<std::string>{id});
  auto health = get(*cache_, "/healthz");
  EXPECT_EQ(health.status, 200) << "a stale cache stays in rotation";
  auto health_body = nlohmann::json::parse(health.body);
  EXPECT_EQ(health_body["status"], "degraded");
  EXPECT_NE(health_body["reason"].get<std::string>().find("no poll"), std::string::npos);
  EXPECT_GE(metric("keydir_cache_upstream_requests_total{kind=\"changes\",status=\"503\"}"), 1);

  std::string added = registerKey()["id"];
  proxy_->setDown(false);
  ASSERT_TRUE(eventually([&] { return caughtUp(); })) << cache_->log();
  HttpAnswer fresh = get(*cache_, "/v1/tns/12025550123/keys");
  EXPECT_EQ(fresh.headers["x-cache"], "hit");
  EXPECT_EQ(keyIds(nlohmann::json::parse(fresh.body)).size(), 2u);
  EXPECT_EQ(getJson(*cache_, "/healthz")["status"], "ok");

  // Restarted while the directory is down, it answers at once from its file.
  cache_->stop();
  proxy_->setDown(true);
  startCache({"--set", "max_staleness_seconds=2", "--set", "backoff_max_seconds=1"});
  HttpAnswer restarted = get(*cache_, "/v1/tns/12025550123/keys");
  EXPECT_EQ(restarted.status, 200);
  EXPECT_EQ(keyIds(nlohmann::json::parse(restarted.body)).size(), 2u);
}

TEST_F(CacheTest, AfterThePlaceItReachedIsGoneItTakesAFreshSnapshot) {
  directory_ = serve({"--set", "feed_retention_seconds=1", "--set", "expiry_sweep_seconds=1"});
  proxy_ = std::make_unique<testing::TestProxy>(directory_->url());
  std::string revoked = registerKey()["id"];
  startCache();
  ASSERT_TRUE(eventually([&] { return caughtUp(); })) << cache_->log();
  cache_->stop();

  revokeKey(revoked);
  std::string added = registerKey()["id"];
  // The directory forgets those changes: a since before them is 410.
  const std::int64_t reached = getJson(*directory_, "/v1/meta")["sequence"].get<std::int64_t>() - 2;
  ASSERT_TRUE(eventually([&] {
    return get(*directory_, "/v1/changes?since=" + std::to_string(reached)).status == 410;
  }));
  proxy_->clearRequests();
  startCache();
  ASSERT_TRUE(eventually([&] { return caughtUp(); })) << cache_->log();
  auto asked = proxy_->requests();
  EXPECT_TRUE(std::any_of(asked.begin(), asked.end(),
                          [](const std::string& r) { return r.starts_with("GET /v1/snapshot"); }));
  EXPECT_EQ(keyIds(getJson(*cache_, "/v1/tns/12025550123/keys")), std::vector<std::string>{added});
  EXPECT_EQ(getJson(*cache_, "/v1/meta")["digest"], getJson(*directory_, "/v1/meta")["digest"]);
}

TEST_F(CacheTest, KilledDuringItsFirstCopyItConvergesOnRestart) {
  // Enough keys that the first copy takes a while.
  ASSERT_NO_FATAL_FAILURE(startDirectoryHolding(3000));
  registerKey();
  bool snapshot_asked = false;
  proxy_->setRewrite([&](const std::string&, const std::string& target, int&, std::string&) {
    if (target.starts_with("/v1/snapshot")) snapshot_asked = true;
  });
  startCache();
  ASSERT_TRUE(eventually([&] { return snapshot_asked; })) << cache_->log();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  cache_->kill9();
  {
    // Killed before its first copy was whole, or the test would show little.
    auto db = SqliteDatabase::open(dir_ / "cache.db").value();
    auto reached = db->prepare("SELECT sequence FROM follower_state").value();
    ASSERT_TRUE(reached.step().value()) << "it had begun";
    ASSERT_EQ(reached.integer(0), 0) << "it had not finished";
  }

  startCache();
  ASSERT_TRUE(eventually([&] { return caughtUp(); }, 60)) << cache_->log();
  EXPECT_EQ(getJson(*cache_, "/v1/meta")["digest"], getJson(*directory_, "/v1/meta")["digest"]);
  std::string tn = testing::readText(dir_ / "tns.txt").substr(0, 11);
  EXPECT_EQ(getJson(*cache_, "/v1/tns/" + tn + "/keys"),
            getJson(*directory_, "/v1/tns/" + tn + "/keys"));
}

TEST_F(CacheTest, MetaDuringTheFirstCopyDescribesWhatIsServedNotWhatIsHalfCopied) {
  // A directory of 5,000 keys, so that a first copy takes a while.
  ASSERT_NO_FATAL_FAILURE(startDirectoryHolding(5000));
  const nlohmann::json directory_meta = getJson(*directory_, "/v1/meta");
  const std::string tn = testing::readText(dir_ / "tns.txt").substr(0, 11);
  for (const std::vector<std::string>& mode :
       {std::vector<std::string>{}, std::vector<std::string>{"--mode", "buckets"}}) {
    SCOPED_TRACE(mode.empty() ? "mirror" : "buckets");
    std::filesystem::remove(dir_ / "cache.db");
    startCache(mode);
    int unserved_polls = 0;
    ASSERT_TRUE(eventually(
        [&] {
          // Meta first: whatever it says must hold for the lookup after it.
          const nlohmann::json meta = getJson(*cache_, "/v1/meta");
          const int status = get(*cache_, "/v1/tns/" + tn + "/keys").status;
          if (status != 503) return meta.is_object();
          ++unserved_polls;
          // Nothing is served yet: the digests are those of nothing, and
          // never the directory's while it holds keys.
          EXPECT_EQ(meta["digest"], std::string(64, '0')) << meta.dump();
          EXPECT_EQ(meta["wide_digest"], std::string(64, '0')) << meta.dump();
          EXPECT_NE(meta["digest"], directory_meta["digest"]);
          EXPECT_EQ(meta["first_copy_done"], false) << meta.dump();
          return false;
        },
        60))
        << cache_->log();
    if (mode.empty()) {
      EXPECT_GT(unserved_polls, 0) << "the first copy was never caught under way";
    }
    ASSERT_TRUE(eventually([&] { return caughtUp(); }, 60)) << cache_->log();
    const nlohmann::json served = getJson(*cache_, "/v1/meta");
    EXPECT_EQ(served["first_copy_done"], true);
    if (mode.empty()) {
      EXPECT_EQ(served["digest"], directory_meta["digest"]);
    }
    cache_.reset();
  }
}

TEST_F(CacheTest, ANewCacheWhoseDirectoryDoesNotAnswerSaysWhyAndLeavesNoFile) {
  auto run = testing::keydir("cache --upstream http://127.0.0.1:1 --trust " + trust_ +
                             " --listen 127.0.0.1:0 --db " + (dir_ / "cache.db").string());
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.output.find("learns the feed's settings from the directory's /v1/meta"),
            std::string::npos)
      << run.output;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "cache.db"));
  auto bad = testing::keydir("cache --upstream ftp://x --trust " + trust_);
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.output.find("http:// or https://"), std::string::npos) << bad.output;
}

TEST_F(CacheTest, FollowsAnHttpsDirectoryWithItsOwnCaAndServesHttps) {
  std::string output;
  ASSERT_EQ(testing::runCommand(
                "cd " + dir_.path().string() +
                    " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
                    " -keyout tls.key -out tls.pem -days 2 -subj /CN=127.0.0.1"
                    " -addext subjectAltName=IP:127.0.0.1,DNS:localhost",
                &output),
            0)
      << output;
  const std::string cert = (dir_ / "tls.pem").string(), key = (dir_ / "tls.key").string();
  directory_ = serve({"--tls-cert", cert, "--tls-key", key});
  const std::string directory_url = "https://127.0.0.1:" + std::to_string(directory_->port());
  std::string id = testing::keydirJson("register --server " + directory_url + " --tls-ca " + cert +
                                       " --credential " + credential("acme", "k"))["id"];
  cache_ = std::make_unique<testing::KeydirProcess>(
      "cache",
      std::vector<std::string>{"--upstream", directory_url, "--upstream-ca", cert, "--trust",
                               trust_, "--listen", "127.0.0.1:0", "--db",
                               (dir_ / "cache.db").string(), "--tls-cert", cert, "--tls-key", key,
                               "--access-log", ""},
      dir_ / "cache.log");
  ASSERT_NE(cache_->port(), 0) << cache_->log();
  auto client =
      DirectoryClient::create("https://127.0.0.1:" + std::to_string(cache_->port()), cert).value();
  ASSERT_TRUE(eventually([&] {
    auto answer = client.request("GET", "/v1/tns/12025550123/keys");
    return answer && answer->status == 200 && answer->body.find(id) != std::string::npos;
  })) << cache_->log();
  EXPECT_EQ(client.request("GET", "/healthz").value().headers["strict-transport-security"],
            "max-age=31536000");
}

}  // namespace
}  // namespace keydir
