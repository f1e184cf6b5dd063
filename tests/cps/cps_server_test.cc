// `keydir cps` as a child process on 127.0.0.1, asking the test's real
// directory for the keys of the numbers it is asked for: stores and
// fetches over HTTP(S), aging, limits and every bad input, seen as a
// caller and a callee see them.

#include <thread>

#include "certs/jws.h"
#include "certs/passport.h"
#include "certs/pem.h"
#include "tests/cps/cps_board_fixture.h"
#include "tests/support/child_server.h"
#include "tests/support/keydir_cli.h"
#include "tests/support/keydir_process.h"
#include "tests/support/metric_value.h"
#include "tests/support/raw_socket.h"
#include "tests/support/storage_tokens.h"

namespace keydir::testing {
namespace {

class CpsServerTest : public CpsBoardTest {
 protected:
  // Runs `keydir cps` with short times so that aging is seen in seconds.
  void startCps(std::vector<std::string> settings = {}, bool tls = false,
                std::vector<std::string> flags = {}) {
    std::vector<std::string> arguments = {
        "--listen",     "127.0.0.1:0",
        "--name",       "cps.test",
        "--directory",  client_->baseUrl(),
        "--access-log", (dir_ / "cps-access.log").string(),
        "--set",        "max_age_seconds=4",
        "--set",        "tick_seconds=1",
        "--set",        "max_store_wait_seconds=2",
        "--trust",      config_.trust,
        "--set",        "token_keys=" + (dir_ / "cps-token-keys.json").string()};
    for (const std::string& setting : settings) {
      arguments.push_back("--set");
      arguments.push_back(setting);
    }
    arguments.insert(arguments.end(), flags.begin(), flags.end());
    if (tls) {
      useTls();
      arguments.insert(arguments.end(),
                       {"--tls-cert", config_.tls_cert, "--tls-key", config_.tls_key});
    }
    cps_ = std::make_unique<KeydirProcess>("cps", arguments,
                                           dir_ / ("cps" + std::to_string(++started_) + ".log"));
    ASSERT_NE(cps_->port(), 0) << cps_->log();
    const std::string base =
        std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(cps_->port());
    cps_client_ = std::make_unique<DirectoryClient>(
        DirectoryClient::create(base, tls ? tls_ca_ : "").value());
  }

  HttpAnswer storeEntry(const std::string& tn, const std::string& body,
                        const std::string& type = "application/json") {
    return cps_client_->request("POST", "/cps/" + tn + "/ppts", body, type, spending(nextToken()))
        .value();
  }
  // A storage token of this test's CPS (several CPS processes on one Redis
  // share their keys), fetched by the carrier a few at a time.
  std::string nextToken() {
    if (tokens_.empty()) tokens_ = storageTokens(*cps_client_, pki_->carrier, 8, nowInstant());
    if (tokens_.empty()) return "";
    std::string token = tokens_.back();
    tokens_.pop_back();
    return token;
  }
  HttpAnswer fetch(const std::string& path) { return cps_client_->request("GET", path).value(); }
  static std::string entryBody(const std::vector<std::string>& jwes) {
    return nlohmann::json{{"jwes", jwes}}.dump();
  }
  // Polls the number until `id` shows (it waits for a tick at most).
  nlohmann::json answerHolding(const std::string& tn, const std::string& id) {
    return answerHolding("", tn, id);
  }
  nlohmann::json answerHolding(const std::string& base, const std::string& tn,
                               const std::string& id) {
    for (int attempt = 0; attempt < 40; ++attempt) {
      HttpAnswer answer = fetch(base + "/cps/" + tn + "/ppts");
      EXPECT_EQ(answer.status, 200) << answer.body;
      nlohmann::json parsed = nlohmann::json::parse(answer.body);
      if (ids(parsed).contains(id)) return parsed;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << id << " never showed under " << tn;
    return {};
  }
  double metric(const std::string& name) { return metricValue(fetch("/metrics").body, name, -1); }

  std::unique_ptr<KeydirProcess> cps_;
  std::unique_ptr<DirectoryClient> cps_client_;
  int started_ = 0;
  std::vector<std::string> tokens_;
};

// Two CPS processes on one real redis-server.
class CpsOnRedisTest : public CpsServerTest {
 protected:
  void SetUp() override {
    CpsServerTest::SetUp();
    redis_ = std::make_unique<ChildServer>(
        std::vector<std::string>{"redis-server", "--port", "{port}", "--bind", "127.0.0.1",
                                 "--save", "", "--appendonly", "no"},
        dir_.path(), dir_ / "redis.log");
    ASSERT_NE(redis_->port(), 0) << readText(dir_ / "redis.log");
    const std::vector<std::string> flags = {"--store",
                                            "redis://127.0.0.1:" + std::to_string(redis_->port())};
    startCps({}, false, flags);
    first_ = std::move(cps_);
    first_client_ = std::move(cps_client_);
    startCps({}, false, flags);
  }
  HttpAnswer at(DirectoryClient& client, const std::string& method, const std::string& path,
                const std::string& body = "") {
    return client
        .request(method, path, body, body.empty() ? "" : "application/json",
                 method == "POST" ? spending(nextToken()) : std::map<std::string, std::string>{})
        .value();
  }

  std::unique_ptr<ChildServer> redis_;
  std::unique_ptr<KeydirProcess> first_;
  std::unique_ptr<DirectoryClient> first_client_;
};

TEST_F(CpsServerTest, StoredEntriesAreFetchedByNumberByIdAndByPrefix) {
  startCps();
  HttpAnswer stored = storeEntry(kCalled, entryBody(callerEntry(passportOf(480))));
  ASSERT_EQ(stored.status, 201) << stored.body;
  const std::string id = nlohmann::json::parse(stored.body)["id"];
  EXPECT_EQ(stored.headers.at("location"), "/cps/" + std::string(kCalled) + "/ppts/" + id);
  EXPECT_TRUE(parseRfc3339(nlohmann::json::parse(stored.body)["expires"].get<std::string>()));

  nlohmann::json by_number = answerHolding(kCalled, id);
  EXPECT_EQ(by_number["tn"], kCalled);
  EXPECT_EQ(by_number["ppts"].size(), 4u) << "4 s of 1 s ticks";
  HttpAnswer by_id = fetch("/cps/" + std::string(kCalled) + "/ppts/" + id);
  ASSERT_EQ(by_id.status, 200) << by_id.body;
  EXPECT_EQ(nlohmann::json::parse(by_id.body)["jwes"].size(), 2u);
  EXPECT_EQ(by_id.headers.at("cache-control"), "no-store");
  HttpAnswer by_prefix = fetch("/cps/prefix/1202555/ppts");
  ASSERT_EQ(by_prefix.status, 200) << by_prefix.body;
  bool found = false;
  const nlohmann::json prefixed = nlohmann::json::parse(by_prefix.body);
  for (const auto& entry : prefixed["ppts"]) {
    found = found || (entry["id"] == id && entry["tn"] == kCalled);
  }
  EXPECT_TRUE(found);
  // A number written with separators is the same number.
  EXPECT_EQ(fetch("/cps/+1-202-555-0150/ppts").status, 200);
}

TEST_F(CpsServerTest, AnEntryIsGoneAfterMaxAge) {
  startCps();
  HttpAnswer stored = storeEntry(kCalled, entryBody(callerEntry(passportOf(480))));
  ASSERT_EQ(stored.status, 201) << stored.body;
  const std::string id = nlohmann::json::parse(stored.body)["id"];
  answerHolding(kCalled, id);
  const Instant expires =
      parseRfc3339(nlohmann::json::parse(stored.body)["expires"].get<std::string>()).value();
  std::this_thread::sleep_until(std::chrono::system_clock::time_point(expires) +
                                std::chrono::milliseconds(200));
  EXPECT_EQ(fetch("/cps/" + std::string(kCalled) + "/ppts/" + id).status, 404);
  EXPECT_FALSE(ids(nlohmann::json::parse(fetch("/cps/" + std::string(kCalled) + "/ppts").body))
                   .contains(id));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(metric("keydir_cps_entries_live"), 0) << "the sweeper forgot it";
  EXPECT_GE(metric("keydir_cps_entries_aged_out_total"), 1);
}

TEST_F(CpsServerTest, EachBadInputGetsItsProblemAndNothingIsStored) {
  startCps();
  const std::string good = callerEntry(passportOf(480))[0];
  nlohmann::json header = jweHeader(good).value();
  header["alg"] = "dir";
  const std::string wrong_alg = base64UrlEncode(header.dump()) + good.substr(good.find('.'));
  struct Bad {
    std::string tn, body, type, problem, says;
  };
  const std::vector<Bad> bad = {
      {kCalled, "{\"jwes\":[\"not.a.jwe\"]}", "application/json", "malformed", "five"},
      {kCalled, entryBody({wrong_alg}), "application/json", "malformed", "\"dir\""},
      {kCalled, entryBody({std::string(9000, 'a')}), "application/json", "malformed",
       "over the limit of 8192"},
      {kCalled, entryBody(std::vector<std::string>(9, good)), "application/json", "malformed",
       "1 to 8 JWEs"},
      {kCalled, "{\"jwes\":[]}", "application/json", "malformed", "1 to 8 JWEs"},
      {kCalled, "not json", "application/json", "malformed", "{\"jwes\""},
      {kCalled, "x.y", "application/jose", "malformed", "five"},
      {"12025550150x", entryBody({good}), "application/json", "invalid-tn", ""},
      {"1234567890123456", entryBody({good}), "application/json", "invalid-tn", ""},
  };
  // One token for every bad store: a store refused for its body spends none.
  const std::string token = nextToken();
  for (const Bad& one : bad) {
    SCOPED_TRACE(one.body.substr(0, 60));
    HttpAnswer answer =
        cps_client_
            ->request("POST", "/cps/" + one.tn + "/ppts", one.body, one.type, spending(token))
            .value();
    expectProblem(answer, 400, one.problem, one.says);
  }
  expectProblem(fetch("/cps/prefix/120255/ppts"), 400, "malformed", "7 to 15 digits");
  expectProblem(fetch("/cps/abc/ppts"), 400, "invalid-tn", "");
  expectProblem(fetch("/cps/" + std::string(kCalled) + "/ppts/no-such-id"), 404, "not-found",
                "no live entry");
  EXPECT_EQ(metric("keydir_cps_stores_total"), 0);
  EXPECT_EQ(metric("keydir_cps_entries_live"), 0);
  EXPECT_NE(fetch("/metrics").body.find("keydir_cps_refusals_total{reason=\"malformed\"} 8"),
            std::string::npos);
  EXPECT_EQ(
      cps_client_
          ->request("POST", "/cps/" + std::string(kCalled) + "/ppts",
                    entryBody(callerEntry(passportOf(480))), "application/json", spending(token))
          .value()
          .status,
      201)
      << "the token survived every refusal";
}

TEST_F(CpsServerTest, PastItsLimitsANumberIsAnswered429AndNothingMoreIsStored) {
  startCps({"max_entries_per_tn=2", "slots_per_tick=4"});
  const std::string body = entryBody(callerEntry(passportOf(480)));
  EXPECT_EQ(storeEntry(kCalled, body).status, 201);
  EXPECT_EQ(storeEntry(kCalled, body).status, 201);
  HttpAnswer refused = storeEntry(kCalled, body);
  expectProblem(refused, 429, "rate-limited", "max_entries_per_tn");
  EXPECT_EQ(refused.headers.at("retry-after"), "1");
  EXPECT_EQ(metric("keydir_cps_stores_total"), 2);
  EXPECT_EQ(metric("keydir_cps_entries_live"), 2);
  // Tokens are spent before the board refuses: the 429's too.
  EXPECT_EQ(metric("keydir_cps_tokens_spent_held"), 3);
}

TEST_F(CpsServerTest, AChunkedStoreIsTakenAndABadChunkStoresNothing) {
  startCps();
  const std::string body = entryBody(callerEntry(passportOf(480)));
  auto head = [&] {
    return "POST /cps/" + std::string(kCalled) +
           "/ppts HTTP/1.1\r\nHost: cps.test\r\nContent-Type: application/json\r\n"
           "Authorization: " +
           privateTokenAuthorization(nextToken()) +
           "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  };
  auto chunk = [](std::string_view data) {
    char size[16];
    std::snprintf(size, sizeof size, "%zx", data.size());
    return std::string(size) + "\r\n" + std::string(data) + "\r\n";
  };
  const std::size_t half = body.size() / 2;
  auto socket = connectTo(cps_->port());
  sendText(socket, head() + chunk(body.substr(0, half)) + chunk(body.substr(half)) + "0\r\n\r\n");
  std::string answer = readUntilClosed(socket);
  EXPECT_EQ(answer.rfind("HTTP/1.1 201 ", 0), 0u) << answer;

  auto bad = connectTo(cps_->port());
  sendText(bad, head() + "10\r\n" + body.substr(0, 20) + "\r\n0\r\n\r\n");
  answer = readUntilClosed(bad);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 ", 0), 0u) << answer;
  EXPECT_EQ(metric("keydir_cps_stores_total"), 1);
}

TEST_F(CpsServerTest, OneJweAsApplicationJoseIsAnEntryOfOne) {
  startCps();
  HttpAnswer stored = storeEntry(kCalled, callerEntry(passportOf(480))[0], "application/jose");
  ASSERT_EQ(stored.status, 201) << stored.body;
  const std::string id = nlohmann::json::parse(stored.body)["id"];
  answerHolding(kCalled, id);
  EXPECT_EQ(
      nlohmann::json::parse(fetch("/cps/" + std::string(kCalled) + "/ppts/" + id).body)["jwes"]
          .size(),
      1u);
}

TEST_F(CpsServerTest, OverHttpsWithABasePathAndALogThatNamesNoNumber) {
  startCps({"base_path=/oob"}, true);
  HttpAnswer stored = cps_client_
                          ->request("POST", "/oob/cps/" + std::string(kCalled) + "/ppts",
                                    entryBody(callerEntry(passportOf(480))), "application/json",
                                    spending(nextToken()))
                          .value();
  ASSERT_EQ(stored.status, 201) << stored.body;
  EXPECT_EQ(stored.headers.at("location").rfind("/oob/cps/", 0), 0u);
  EXPECT_EQ(stored.headers.at("strict-transport-security"), "max-age=31536000");
  EXPECT_EQ(fetch("/oob/cps/" + std::string(kCalled) + "/ppts").status, 200);
  EXPECT_EQ(fetch("/cps/" + std::string(kCalled) + "/ppts").status, 404) << "only under the base";
  EXPECT_EQ(fetch("/healthz").status, 200);
  cps_->stop();
  const std::string log = readText(dir_ / "cps-access.log");
  EXPECT_NE(log.find("/oob/cps/"), std::string::npos) << log;
  EXPECT_EQ(log.find(kCalled), std::string::npos) << "a full number in the access log:\n" << log;
}

TEST_F(CpsServerTest, SettingsArePrintedAndAnAgeOverAMinuteIsRefusedAtStart) {
  const std::string trust = " --trust " + config_.trust;
  CommandRun printed = keydir("cps --name cps.test --listen 127.0.0.1:0 --print-config" + trust);
  ASSERT_EQ(printed.status, 0) << printed.output;
  nlohmann::json config = nlohmann::json::parse(printed.output);
  EXPECT_EQ(config["max_age_seconds"], 60);
  EXPECT_EQ(config["tick_seconds"], 2);
  EXPECT_EQ(config["min_prefix_digits"], 7);
  EXPECT_EQ(config["tokens_per_hour"], 10000);
  EXPECT_EQ(config["token_key_days"], 7);
  EXPECT_EQ(config["max_stores_per_tn_per_minute"], 600);
  CommandRun refused =
      keydir("cps --name cps.test --listen 127.0.0.1:0 --set max_age_seconds=61" + trust);
  EXPECT_NE(refused.status, 0);
  EXPECT_NE(refused.output.find("RFC 8816 7.5"), std::string::npos) << refused.output;
  CommandRun nameless = keydir("cps --listen 127.0.0.1:0");
  EXPECT_NE(nameless.status, 0);
  EXPECT_NE(nameless.output.find("--name"), std::string::npos) << nameless.output;
  CommandRun untrusting = keydir("cps --name cps.test --listen 127.0.0.1:0");
  EXPECT_NE(untrusting.status, 0);
  EXPECT_NE(untrusting.output.find("storage tokens"), std::string::npos) << untrusting.output;
}

TEST_F(CpsServerTest, TheCalleeFetchesByPrefixAndVerifiesItsPassportAmongDummiesAndOthers) {
  startCps();
  // The carrier signs a call from its own number to acme's.
  auto passport = signPassport({"13125550100", {kCalled}, nowInstant(), "A", ""},
                               pki_->carrier.key.get(), pki_->carrier.chain);
  ASSERT_TRUE(passport) << passport.error().message;
  ASSERT_EQ(storeEntry(kCalled, entryBody(callerEntry(*passport))).status, 201);
  // Another callee's entry, and a PASSporT for another number under acme's key.
  ASSERT_EQ(storeEntry("12025550151", entryBody(callerEntry(passportOf(500)))).status, 201);
  auto misdirected = signPassport({"13125550100", {"12025550199"}, nowInstant(), "A", ""},
                                  pki_->carrier.key.get(), pki_->carrier.chain);
  ASSERT_EQ(storeEntry("12025550152", entryBody(callerEntry(*misdirected))).status, 201);
  writeText(dir_ / "acme-x25519.pem", privateKeyPem(keys_[0].get()));

  const std::string fetch = "cps fetch --cps " + cps_client_->baseUrl() +
                            " --prefix 1202555 --key " + (dir_ / "acme-x25519.pem").string() +
                            " --trust " + config_.trust + " --orig 13125550100";
  nlohmann::json found = keydirJson(fetch);
  ASSERT_EQ(found["verified"].size(), 1u) << found.dump(2);
  EXPECT_EQ(found["verified"][0]["tn"], kCalled);
  EXPECT_EQ(found["verified"][0]["passport"], *passport);
  EXPECT_EQ(found["verified"][0]["claims"]["attest"], "A");
  EXPECT_GE(found["entries"].get<int>(), 3 * 4) << "three numbers' windows, dummies and all";
  // Opened with acme's key, and refused: text that is no PASSporT, and a
  // PASSporT for another of acme's numbers left under a third.
  std::set<std::string> steps;
  for (const auto& refused : found["refused"]) {
    steps.insert(refused["why"].get<std::string>().substr(0, 4));
  }
  EXPECT_EQ(steps, (std::set<std::string>{"ppt:", "dest"})) << found["refused"].dump(2);

  // The wrong calling number: nothing verifies, exit 1.
  nlohmann::json wrong =
      keydirJson("cps fetch --cps " + cps_client_->baseUrl() + " --tn " + kCalled + " --key " +
                     (dir_ / "acme-x25519.pem").string() + " --trust " + config_.trust +
                     " --orig 13125550101 --wait 0s",
                 1);
  EXPECT_TRUE(wrong["verified"].empty());
  EXPECT_NE(wrong["refused"][0]["why"].get<std::string>().find("orig:"), std::string::npos);
}

TEST_F(CpsServerTest, CpsStoreLeavesWhatEncryptPrintedAtTheCpsItNames) {
  startCps({"base_path=/oob"});
  nlohmann::json encrypted = {{"tn", "+1 202 555 0150"},
                              {"cps", {cps_client_->baseUrl() + "/oob"}},
                              {"jwes", nlohmann::json::array()}};
  for (const std::string& jwe : callerEntry(passportOf(480))) {
    encrypted["jwes"].push_back({{"kid", "k"}, {"alg", "X25519"}, {"jwe", jwe}});
  }
  writeText(dir_ / "encrypted.json", encrypted.dump());
  // The carrier's tokens first: the CPS is named cps.test, not its address.
  const std::string tokens = (dir_ / "tokens.json").string();
  const std::string cps = cps_client_->baseUrl() + "/oob";
  nlohmann::json fetched = keydirJson(
      "cps tokens --cps " + cps + " --name cps.test --cert " + pki_->carrier.files.chain.string() +
      " --key " + pki_->carrier.files.key.string() + " --count 3 --out " + tokens);
  EXPECT_EQ(fetched["fetched"], 3);
  EXPECT_EQ(std::filesystem::status(tokens).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  nlohmann::json stored =
      keydirJson("cps store --tokens " + tokens + " < " + (dir_ / "encrypted.json").string());
  EXPECT_EQ(stored["tokens_left"], 2);
  EXPECT_EQ(stored["tn"], kCalled);
  EXPECT_EQ(stored["location"],
            "/oob/cps/" + std::string(kCalled) + "/ppts/" + stored["id"].get<std::string>());
  answerHolding("/oob", kCalled, stored["id"]);
  // A CPS that refuses says why, and the command exits 1.
  encrypted["jwes"] = {"not a jwe"};
  writeText(dir_ / "bad.json", encrypted.dump());
  CommandRun refused =
      keydir("cps store --tokens " + tokens + " < " + (dir_ / "bad.json").string());
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.output.find("malformed"), std::string::npos) << refused.output;
}

TEST_F(CpsOnRedisTest, StoredThroughOneFetchedThroughTheOtherWithTheSameDummies) {
  HttpAnswer stored = at(*first_client_, "POST", "/cps/" + std::string(kCalled) + "/ppts",
                         entryBody(callerEntry(passportOf(480))));
  ASSERT_EQ(stored.status, 201) << stored.body;
  const std::string id = nlohmann::json::parse(stored.body)["id"];
  nlohmann::json second = answerHolding(kCalled, id);  // through the second process
  EXPECT_EQ(at(*cps_client_, "GET", "/cps/" + std::string(kCalled) + "/ppts/" + id).status, 200);
  // Both make the same dummies from the secret they share: a number polled
  // through either, within one tick, shows the same entries.
  for (int attempt = 0; attempt < 5; ++attempt) {
    nlohmann::json one = nlohmann::json::parse(
        at(*first_client_, "GET", "/cps/" + std::string(kCalled) + "/ppts").body);
    nlohmann::json two = nlohmann::json::parse(
        at(*cps_client_, "GET", "/cps/" + std::string(kCalled) + "/ppts").body);
    if (ids(one) != ids(two)) continue;  // a tick passed between the two
    std::map<std::string, std::string> bytes;
    for (const auto& entry : one["ppts"]) bytes[entry["id"]] = entry.dump();
    for (const auto& entry : two["ppts"]) EXPECT_EQ(bytes[entry["id"]], entry.dump());
    return;
  }
  ADD_FAILURE() << "the two processes never showed the same tick";
}

TEST_F(CpsOnRedisTest, AJwtIdSpentAtOneIsSpentAtBoth) {
  nlohmann::json claims = {{"iat", unixTime(nowInstant())},
                           {"action", "retrieve"},
                           {"spc", "1234"},
                           {"iss", "1234"},
                           {"aud", "cps.test"},
                           {"jti", "once"},
                           {"dest", {{"tn", {kCalled}}}},
                           {"orig", {{"tn", "13125550100"}}}};
  const std::string jwt =
      signJws({}, claims.dump(), pki_->carrier.key.get(), pki_->carrier.chain).value();
  const std::string path = "/passports/1234/" + std::string(kCalled) + "/13125550100";
  auto retrieve = [&](DirectoryClient& client) {
    return client.request("GET", path, "", "", {{"Authorization", "Bearer " + jwt}}).value();
  };
  EXPECT_EQ(retrieve(*first_client_).status, 404) << "taken, and nothing published";
  HttpAnswer replayed = retrieve(*cps_client_);
  EXPECT_EQ(replayed.status, 401);
  EXPECT_NE(replayed.body.find("jti:"), std::string::npos) << replayed.body;
}

TEST_F(CpsOnRedisTest, WithRedisGoneItAnswers503AndRecoversWithoutARestart) {
  const std::string path = "/cps/" + std::string(kCalled) + "/ppts";
  const std::string body = entryBody(callerEntry(passportOf(480)));
  ASSERT_EQ(at(*cps_client_, "POST", path, body).status, 201);
  redis_->stop();
  HttpAnswer store = at(*cps_client_, "POST", path, body);
  expectProblem(store, 503, "unavailable", "Redis");
  EXPECT_TRUE(store.headers.contains("retry-after"));
  // A number first asked for now needs the store to show its tick.
  expectProblem(at(*cps_client_, "GET", "/cps/12025550177/ppts"), 503, "unavailable", "Redis");
  EXPECT_EQ(at(*cps_client_, "GET", "/healthz").status, 503);
  ASSERT_TRUE(redis_->restart()) << readText(dir_ / "redis.log");
  HttpAnswer again = at(*cps_client_, "POST", path, body);
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(at(*cps_client_, "GET", "/healthz").status, 200);
  EXPECT_EQ(at(*first_client_, "POST", path, body).status, 201) << "the other too";
}

}  // namespace
}  // namespace keydir::testing

namespace keydir::testing {
namespace {

TEST_F(CpsOnRedisTest, ATokenSpentAtOneProcessIsSpentAtTheOther) {
  const std::string path = "/cps/" + std::string(kCalled) + "/ppts";
  const std::string body = entryBody(callerEntry(passportOf(480)));
  const std::string token = nextToken();
  HttpAnswer first =
      first_client_->request("POST", path, body, "application/json", spending(token)).value();
  ASSERT_EQ(first.status, 201) << first.body;
  HttpAnswer again =
      cps_client_->request("POST", path, body, "application/json", spending(token)).value();
  expectProblem(again, 401, "not-authorized", "spent before");
  EXPECT_EQ(again.headers.at("www-authenticate").rfind("PrivateToken challenge=", 0), 0u);
  HttpAnswer same =
      first_client_->request("POST", path, body, "application/json", spending(token)).value();
  expectProblem(same, 401, "not-authorized", "spent before");
  EXPECT_EQ(
      metricValue(at(*first_client_, "GET", "/metrics").body, "keydir_cps_tokens_spent_held", -1),
      1);
  EXPECT_EQ(
      metricValue(at(*cps_client_, "GET", "/metrics").body, "keydir_cps_tokens_spent_held", -1), 1)
      << "the one set in Redis";
  // Both issue with the one key kept in Redis.
  EXPECT_EQ(at(*first_client_, "GET", "/.well-known/private-token-issuer-directory").body,
            at(*cps_client_, "GET", "/.well-known/private-token-issuer-directory").body);
}

}  // namespace
}  // namespace keydir::testing
