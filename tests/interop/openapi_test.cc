// docs/openapi.yaml against an independent validator and against the
// servers: the document is valid OpenAPI 3.1; every route the directory and
// the cache have is documented for that server and nothing else is; and
// every documented status of every operation is produced by a real request
// to a running directory or cache, whose answer has the documented status.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "advertise/advertisement_signer.h"
#include "cache/cache_server.h"
#include "cache/routes.h"
#include "certs/base64.h"
#include "certs/jwe.h"
#include "certs/jws.h"
#include "certs/pem.h"
#include "certs/privacy_pass.h"
#include "cps/cps_server.h"
#include "cps/routes.h"
#include "directory/server/routes.h"
#include "tests/directory/feed_fixture.h"
#include "tests/interop/node_script.h"
#include "tests/support/cps_entries.h"
#include "tests/support/storage_tokens.h"

namespace keydir {
namespace {

using std::chrono::hours;

const std::filesystem::path& kInterop = testing::kInteropDir;
const std::filesystem::path kOpenApi = KEYDIR_OPENAPI;

// method and path template -> what the document says of it.
struct Operation {
  std::set<std::string> served_by;
  std::set<int> statuses;
};
using Operations = std::map<std::pair<std::string, std::string>, Operation>;

Operations operationsOf(const nlohmann::json& document) {
  Operations operations;
  for (const auto& [path, item] : document["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      if (method == "parameters") continue;  // shared by the path's operations
      std::string upper = method;
      for (char& c : upper) c = char(std::toupper(c));
      Operation& entry = operations[{upper, path}];
      for (const auto& server : operation["x-keydir-served-by"]) entry.served_by.insert(server);
      for (const auto& [status, response] : operation["responses"].items()) {
        if (status != "default") entry.statuses.insert(std::stoi(status));
      }
    }
  }
  return operations;
}

class OpenApiTest : public testing::FeedTest {
 protected:
  void SetUp() override {
    FeedTest::SetUp();
    ASSERT_TRUE(std::filesystem::exists(kInterop / "node_modules" / "@seriousme"))
        << "the validator is not installed: run `npm ci --prefix tests/interop`";
    config_.max_keys_per_signer_scope = 4;
    config_.feed_retention_seconds = 3600;
  }
  void TearDown() override {
    if (cps_) cps_->stop();
    if (cache_) cache_->stop();
    FeedTest::TearDown();
  }
  // A CPS whose limits are low enough for one request to pass each: one
  // entry a number, one number a prefix answer.
  void startCps() {
    DirectoryConfig config;
    config.name = "cps.test";
    config.listen = "127.0.0.1:0";
    config.access_log = "";
    config.directory = client_->baseUrl();
    config.max_entries_per_tn = 1;
    config.max_prefix_numbers = 1;
    config.tokens_per_hour = 5;
    config.trust = config_.trust;
    config.token_keys = (dir_ / "cps-token-keys.json").string();
    cps_ = CpsServer::create(config, clock_.get()).value();
    cps_->start();
    cps_client_.emplace(DirectoryClient::create(cps_->baseUrl(), "").value());
  }
  static nlohmann::json validated(const std::filesystem::path& file, int* status) {
    std::string output;
    *status = testing::runNodeScript("openapi.mjs", file.string(), &output);
    return nlohmann::json::parse(output, nullptr, false);
  }
  void startCache() {
    DirectoryConfig config;
    config.upstream = client_->baseUrl();
    config.trust = config_.trust;
    config.spc_map = config_.spc_map;
    config.db = (dir_ / "cache.db").string();
    config.listen = "127.0.0.1:0";
    config.access_log = "";
    config.poll_seconds = 1;
    cache_ = CacheServer::create(config).value();
    cache_->start();
    cache_client_.emplace(DirectoryClient::create(cache_->baseUrl(), "").value());
    const std::int64_t wanted = meta()["sequence"];
    for (int i = 0; i < 300; ++i) {
      auto answer = cache_client_->call("GET", "/v1/meta");
      if (answer && nlohmann::json::parse(answer->body)["sequence"] == wanted) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "the cache did not catch up";
  }
  HttpAnswer send(DirectoryClient& client, const std::string& method, const std::string& path,
                  const std::string& body = "", const std::string& type = "application/json",
                  const std::string& if_none_match = "") {
    std::map<std::string, std::string> headers;
    if (!if_none_match.empty()) headers["If-None-Match"] = if_none_match;
    return client.request(method, path, body, type, headers).value();
  }
  std::string revocation(const std::string& id, const testing::Identity& signer,
                         const std::string& jti) {
    nlohmann::json payload = {
        {"sub", id}, {"iat", clock_->now().time_since_epoch().count()}, {"jti", jti}};
    return signJws({}, payload.dump(), signer.key.get(), signer.chain).value();
  }
  // A carrier's JWT for the industry interface, as TransNexus's sample signs it.
  std::string carrierJwt(const std::string& action, const std::string& passport = "",
                         const std::string& dest = "12025550150") {
    nlohmann::json claims = {{"iat", unixTime(clock_->now())},
                             {"action", action},
                             {"spc", "1234"},
                             {"iss", "1234"},
                             {"aud", "cps.test"},
                             {"jti", "j" + std::to_string(++jtis_)},
                             {"dest", {{"tn", {dest}}}},
                             {"orig", {{"tn", "13125550100"}}}};
    if (action == "publish") {
      claims["exp"] = unixTime(clock_->now()) + 30;
      claims["passports"] =
          "sha256-" + base64Encode(sha256(nlohmann::json::array({passport}).dump()));
    }
    return signJws({}, claims.dump(), pki_->carrier.key.get(), pki_->carrier.chain).value();
  }
  int jtis_ = 0;
  std::string advertisement(const testing::Identity& signer, const std::string& scope) {
    return signAdvertisement(
               {testing::cpsEntries({{scope.c_str(), "https://cps.example"}}), clock_->now(), {}},
               signer.key.get(), signer.chain)
        .value();
  }

  std::unique_ptr<CacheServer> cache_;
  std::optional<DirectoryClient> cache_client_;
  std::unique_ptr<CpsServer> cps_;
  std::optional<DirectoryClient> cps_client_;
};

TEST_F(OpenApiTest, TheDocumentIsValidOpenApi31AndTheValidatorIsReal) {
  int status = 0;
  nlohmann::json result = validated(kOpenApi, &status);
  ASSERT_EQ(status, 0) << "docs/openapi.yaml does not validate";
  EXPECT_EQ(result["version"], "3.1");
  std::string broken = testing::readText(kOpenApi);
  broken.replace(broken.find("  version: 0.1.0"), 16, "  versio: 0.1.0");
  testing::writeText(dir_ / "broken.yaml", broken);
  validated(dir_ / "broken.yaml", &status);
  EXPECT_EQ(status, 1) << "an info without a version must not validate";
}

TEST_F(OpenApiTest, EveryRouteIsDocumentedForItsServerAndNothingElseIs) {
  int status = 0;
  Operations documented = operationsOf(validated(kOpenApi, &status)["document"]);
  ASSERT_EQ(status, 0);
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<std::string> cps_patterns;
  const std::vector<Route> cps_routes = cpsRoutes("", cps_patterns);
  for (auto [server, routes] :
       {std::pair{"directory", directoryRoutes()}, std::pair{"cache", cacheRoutes()},
        std::pair{"cps", std::span<const Route>(cps_routes)}}) {
    for (const Route& route : routes) {
      std::pair<std::string, std::string> key{std::string(route.method),
                                              std::string(route.pattern)};
      auto found = documented.find(key);
      ASSERT_NE(found, documented.end()) << key.first << " " << key.second << " is undocumented";
      EXPECT_TRUE(found->second.served_by.contains(server))
          << key.first << " " << key.second << " is served by the " << server
          << " but not documented as such";
      seen.insert({server, key.first + " " + key.second});
    }
  }
  for (const auto& [key, operation] : documented) {
    for (const auto& server : operation.served_by) {
      EXPECT_TRUE(seen.contains({server, key.first + " " + key.second}))
          << key.first << " " << key.second << " is documented for the " << server
          << ", which has no such route";
    }
  }
}

TEST_F(OpenApiTest, EveryDocumentedStatusIsWhatARealRequestGets) {
  int validator_status = 0;
  Operations documented = operationsOf(validated(kOpenApi, &validator_status)["document"]);
  ASSERT_EQ(validator_status, 0);
  startServer();
  DirectoryClient& directory = *client_;

  // What the requests below need: a key, an advertisement, a revocable key.
  std::string acme_body = body(pki_->acme);
  HttpAnswer first = send(directory, "POST", "/v1/keys", acme_body);
  ASSERT_EQ(first.status, 201) << first.body;
  nlohmann::json record = nlohmann::json::parse(first.body);
  const std::string key_id = record["id"];
  const std::string certs_path =
      record["x5u"].get<std::string>().substr(record["x5u"].get<std::string>().find("/v1/certs/"));
  const std::string ad_jws = advertisement(pki_->carrier, "0-1234");
  HttpAnswer ad = send(directory, "POST", "/v1/advertisements", ad_jws, "application/jose");
  ASSERT_EQ(ad.status, 201) << ad.body;
  const std::string ad_id = nlohmann::json::parse(ad.body)["id"];
  startCache();
  DirectoryClient& cache = *cache_client_;
  startCps();
  DirectoryClient& cps = *cps_client_;
  EvpPkeyPtr callee_key = generateKey(KeyType::kX25519);
  const std::string entry =
      nlohmann::json{{"jwes", {encryptJwe("a PASSporT", callee_key.get(), "kid-1").value()}}}
          .dump();
  std::string entry_id;
  int jti_count = 0;
  const std::string passport = "eyJhbGciOiJFUzI1NiJ9.e30.c2ln";
  const std::string passports = nlohmann::json{{"passports", {passport}}}.dump();
  auto industry = [&](const std::string& method, const std::string& path, const std::string& token,
                      const std::string& body = "") {
    std::map<std::string, std::string> headers;
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return cps.request(method, path, body, "application/json", headers).value();
  };
  const std::string pair = "/12025550150/13125550100";
  std::vector<std::string> tokens = testing::storageTokens(cps, pki_->carrier, 4, clock_->now());
  // A store that spends a storage token.
  auto spend = [&](const std::string& path, const std::string& body) {
    const std::string token = tokens.back();
    tokens.pop_back();
    return cps.request("POST", path, body, "application/json", testing::spending(token)).value();
  };
  // A TokenRequest for the CPS's key, with its JWT.
  auto token_request = [&](std::string body) {
    nlohmann::json claims = {{"iat", unixTime(clock_->now())},
                             {"jti", "t-" + std::to_string(++jti_count)},
                             {"aud", "cps.test"},
                             {"action", "token"},
                             {"req", base64UrlEncode(sha256(body))}};
    const std::string jwt =
        signJws({}, claims.dump(), pki_->carrier.key.get(), pki_->carrier.chain).value();
    return cps
        .request("POST", "/cps/token-request", body, "application/private-token-request",
                 {{"Authorization", "Bearer " + jwt}})
        .value();
  };
  // A TokenRequest for the key the CPS issues with now.
  auto signable = [&] {
    const nlohmann::json directory =
        nlohmann::json::parse(send(cps, "GET", "/.well-known/private-token-issuer-directory").body);
    const Bytes key =
        base64UrlDecodePadded(directory["token-keys"][0]["token-key"].get<std::string>()).value();
    return draftTokenRequest(asStringView(key),
                             encodeTokenChallenge({kBlindRsaTokenType, "cps.test", "", "cps.test"}))
        .value()
        .request;
  };
  const std::string good_request = std::string("\x00\x02", 2) + char(0) + std::string(256, '\x01');

  // Each case: the server, the documented operation, and the request.
  struct Case {
    std::string server, method, path;
    int status;
    std::function<HttpAnswer()> request;
  };
  const std::string too_big(config_.max_body_bytes + 1, 'x');
  auto etag_of = [&](DirectoryClient& client, const std::string& path) {
    return send(client, "GET", path).headers.at("etag");
  };
  std::vector<Case> cases = {
      {"directory", "POST", "/v1/keys", 200,
       [&] { return send(directory, "POST", "/v1/keys", acme_body); }},
      {"directory", "POST", "/v1/keys", 201,
       [&] { return send(directory, "POST", "/v1/keys", body(pki_->acme)); }},
      {"directory", "POST", "/v1/keys", 400,
       [&] { return send(directory, "POST", "/v1/keys", "{"); }},
      {"directory", "POST", "/v1/keys", 403,
       [&] { return send(directory, "POST", "/v1/keys", body(pki_->direct)); }},
      {"cache", "POST", "/v1/keys", 405,
       [&] { return send(cache, "POST", "/v1/keys", acme_body); }},
      {"directory", "POST", "/v1/keys", 409,
       [&] {
         HttpAnswer last;
         for (int i = 0; i < 4; ++i) last = send(directory, "POST", "/v1/keys", body(pki_->acme));
         return last;
       }},
      {"directory", "POST", "/v1/keys", 413,
       [&] { return send(directory, "POST", "/v1/keys", too_big); }},
      {"directory", "POST", "/v1/keys", 422,
       [&] { return send(directory, "POST", "/v1/keys", body(pki_->acme, hours(24 * 30))); }},
      {"directory", "GET", "/v1/keys/{id}", 200,
       [&] { return send(directory, "GET", "/v1/keys/" + key_id); }},
      {"directory", "GET", "/v1/keys/{id}", 304,
       [&] {
         const std::string path = "/v1/keys/" + key_id;
         return send(directory, "GET", path, "", "", etag_of(directory, path));
       }},
      {"directory", "GET", "/v1/keys/{id}", 404,
       [&] { return send(directory, "GET", "/v1/keys/nosuchkey"); }},
      {"directory", "POST", "/v1/keys/{id}/revocation", 400,
       [&] {
         return send(directory, "POST", "/v1/keys/" + key_id + "/revocation", "x",
                     "application/jose");
       }},
      {"directory", "POST", "/v1/keys/{id}/revocation", 403,
       [&] {
         return send(directory, "POST", "/v1/keys/" + key_id + "/revocation",
                     revocation(key_id, pki_->direct, "j-403"), "application/jose");
       }},
      {"directory", "POST", "/v1/keys/{id}/revocation", 404,
       [&] {
         return send(directory, "POST", "/v1/keys/nosuchkey/revocation",
                     revocation("nosuchkey", pki_->carrier, "j-404"), "application/jose");
       }},
      {"cache", "POST", "/v1/keys/{id}/revocation", 405,
       [&] {
         return send(cache, "POST", "/v1/keys/" + key_id + "/revocation",
                     revocation(key_id, pki_->carrier, "j-405"), "application/jose");
       }},
      {"directory", "POST", "/v1/keys/{id}/revocation", 413,
       [&] {
         return send(directory, "POST", "/v1/keys/" + key_id + "/revocation", too_big,
                     "application/jose");
       }},
      {"directory", "POST", "/v1/keys/{id}/revocation", 422,
       [&] {
         std::string jws = revocation(key_id, pki_->carrier, "j-422");
         // A middle character: the last one's spare bits may make it non-canonical.
         char& c = jws[jws.size() - 10];
         c = c == 'A' ? 'B' : 'A';
         return send(directory, "POST", "/v1/keys/" + key_id + "/revocation", jws,
                     "application/jose");
       }},
      {"directory", "GET", "/v1/tns/{tn}/keys", 200,
       [&] { return send(directory, "GET", "/v1/tns/12025550150/keys"); }},
      {"cache", "GET", "/v1/tns/{tn}/keys", 200,
       [&] { return send(cache, "GET", "/v1/tns/12025550150/keys"); }},
      {"cache", "GET", "/v1/tns/{tn}/keys", 304,
       [&] {
         const std::string path = "/v1/tns/12025550150/keys";
         return send(cache, "GET", path, "", "", etag_of(cache, path));
       }},
      {"directory", "GET", "/v1/tns/{tn}/keys", 400,
       [&] { return send(directory, "GET", "/v1/tns/12x/keys"); }},
      {"cache", "GET", "/v1/tns/{tn}/keys", 400,
       [&] { return send(cache, "GET", "/v1/tns/12x/keys"); }},
      {"directory", "POST", "/v1/advertisements", 200,
       [&] { return send(directory, "POST", "/v1/advertisements", ad_jws, "application/jose"); }},
      {"directory", "POST", "/v1/advertisements", 201,
       [&] {
         clock_->advance(std::chrono::seconds(1));
         return send(directory, "POST", "/v1/advertisements",
                     advertisement(pki_->acme, "1-12025550100-100"), "application/jose");
       }},
      {"directory", "POST", "/v1/advertisements", 400,
       [&] { return send(directory, "POST", "/v1/advertisements", "x", "application/jose"); }},
      {"directory", "POST", "/v1/advertisements", 403,
       [&] {
         return send(directory, "POST", "/v1/advertisements",
                     advertisement(pki_->acme, "2-14155550123"), "application/jose");
       }},
      {"cache", "POST", "/v1/advertisements", 405,
       [&] { return send(cache, "POST", "/v1/advertisements", ad_jws, "application/jose"); }},
      {"directory", "POST", "/v1/advertisements", 413,
       [&] { return send(directory, "POST", "/v1/advertisements", too_big, "application/jose"); }},
      {"directory", "POST", "/v1/advertisements", 422,
       [&] {
         std::string jws = ad_jws;
         // A middle character: the last one's spare bits may make it non-canonical.
         char& c = jws[jws.size() - 10];
         c = c == 'A' ? 'B' : 'A';
         return send(directory, "POST", "/v1/advertisements", jws, "application/jose");
       }},
      {"directory", "GET", "/v1/advertisements/{id}", 200,
       [&] { return send(directory, "GET", "/v1/advertisements/" + ad_id); }},
      {"directory", "GET", "/v1/advertisements/{id}", 304,
       [&] {
         const std::string path = "/v1/advertisements/" + ad_id;
         return send(directory, "GET", path, "", "", etag_of(directory, path));
       }},
      {"directory", "GET", "/v1/advertisements/{id}", 404,
       [&] { return send(directory, "GET", "/v1/advertisements/nosuchad"); }},
      {"directory", "GET", "/v1/tns/{tn}/cps", 200,
       [&] { return send(directory, "GET", "/v1/tns/12025550150/cps"); }},
      {"cache", "GET", "/v1/tns/{tn}/cps", 200,
       [&] { return send(cache, "GET", "/v1/tns/12025550150/cps"); }},
      {"directory", "GET", "/v1/tns/{tn}/cps", 304,
       [&] {
         const std::string path = "/v1/tns/12025550150/cps";
         return send(directory, "GET", path, "", "", etag_of(directory, path));
       }},
      {"cache", "GET", "/v1/tns/{tn}/cps", 400,
       [&] { return send(cache, "GET", "/v1/tns/1234567890123456/cps"); }},
      {"directory", "GET", "/v1/certs/{sha256}", 200,
       [&] { return send(directory, "GET", certs_path); }},
      {"cache", "GET", "/v1/certs/{sha256}", 200, [&] { return send(cache, "GET", certs_path); }},
      {"directory", "GET", "/v1/certs/{sha256}", 400,
       [&] { return send(directory, "GET", "/v1/certs/xyz"); }},
      {"cache", "GET", "/v1/certs/{sha256}", 404,
       [&] { return send(cache, "GET", "/v1/certs/" + std::string(64, '0')); }},
      {"directory", "GET", "/v1/meta", 200, [&] { return send(directory, "GET", "/v1/meta"); }},
      {"cache", "GET", "/v1/meta", 200, [&] { return send(cache, "GET", "/v1/meta"); }},
      {"directory", "GET", "/v1/snapshot", 200,
       [&] { return send(directory, "GET", "/v1/snapshot?scope=wide"); }},
      {"directory", "GET", "/v1/snapshot", 304,
       [&] {
         return send(directory, "GET", "/v1/snapshot", "", "", etag_of(directory, "/v1/snapshot"));
       }},
      {"directory", "GET", "/v1/snapshot", 400,
       [&] { return send(directory, "GET", "/v1/snapshot?scope=narrow"); }},
      {"directory", "GET", "/v1/changes", 200,
       [&] { return send(directory, "GET", "/v1/changes?since=0&limit=2"); }},
      {"directory", "GET", "/v1/changes", 304,
       [&] {
         const std::string path = "/v1/changes?since=0";
         return send(directory, "GET", path, "", "", etag_of(directory, path));
       }},
      {"directory", "GET", "/v1/changes", 400,
       [&] { return send(directory, "GET", "/v1/changes?since=abc"); }},
      {"directory", "GET", "/v1/buckets/{hex}", 200,
       [&] { return send(directory, "GET", "/v1/buckets/00ff"); }},
      {"directory", "GET", "/v1/buckets/{hex}", 304,
       [&] {
         return send(directory, "GET", "/v1/buckets/00ff", "", "",
                     etag_of(directory, "/v1/buckets/00ff"));
       }},
      {"directory", "GET", "/v1/buckets/{hex}", 400,
       [&] { return send(directory, "GET", "/v1/buckets/00f"); }},
      {"directory", "GET", "/healthz", 200, [&] { return send(directory, "GET", "/healthz"); }},
      {"cache", "GET", "/healthz", 200, [&] { return send(cache, "GET", "/healthz"); }},
      {"directory", "GET", "/metrics", 200, [&] { return send(directory, "GET", "/metrics"); }},
      {"cache", "GET", "/metrics", 200, [&] { return send(cache, "GET", "/metrics"); }},
      {"cps", "POST", "/cps/{tn}/ppts", 201,
       [&] {
         HttpAnswer stored = spend("/cps/12025550150/ppts", entry);
         if (stored.status == 201) entry_id = nlohmann::json::parse(stored.body)["id"];
         return stored;
       }},
      {"cps", "POST", "/cps/{tn}/ppts", 400, [&] { return spend("/cps/12025550150/ppts", "{"); }},
      {"cps", "POST", "/cps/{tn}/ppts", 401,
       [&] { return send(cps, "POST", "/cps/12025550150/ppts", entry); }},
      {"cps", "POST", "/cps/{tn}/ppts", 413,
       [&] { return spend("/cps/12025550150/ppts", std::string(70000, 'x')); }},
      {"cps", "POST", "/cps/{tn}/ppts", 429, [&] { return spend("/cps/12025550150/ppts", entry); }},
      {"cps", "GET", "/.well-known/private-token-issuer-directory", 200,
       [&] { return send(cps, "GET", "/.well-known/private-token-issuer-directory"); }},
      {"cps", "POST", "/cps/token-request", 401,
       [&] { return send(cps, "POST", "/cps/token-request", good_request); }},
      {"cps", "POST", "/cps/token-request", 200, [&] { return token_request(signable()); }},
      // tokens_per_hour is 5: four fetched above, one just now, and this one.
      {"cps", "POST", "/cps/token-request", 429, [&] { return token_request(signable()); }},
      {"cps", "POST", "/cps/token-request", 422,
       [&] { return token_request(good_request.substr(0, 100)); }},
      {"cps", "GET", "/cps/{tn}/ppts", 200,
       [&] { return send(cps, "GET", "/cps/12025550150/ppts"); }},
      {"cps", "GET", "/cps/{tn}/ppts", 400, [&] { return send(cps, "GET", "/cps/abc/ppts"); }},
      {"cps", "GET", "/cps/{tn}/ppts/{id}", 200,
       [&] { return send(cps, "GET", "/cps/12025550150/ppts/" + entry_id); }},
      {"cps", "GET", "/cps/{tn}/ppts/{id}", 400,
       [&] { return send(cps, "GET", "/cps/abc/ppts/" + entry_id); }},
      {"cps", "GET", "/cps/{tn}/ppts/{id}", 404,
       [&] { return send(cps, "GET", "/cps/12025550150/ppts/nosuchentry"); }},
      {"cps", "GET", "/cps/prefix/{digits}/ppts", 200,
       [&] { return send(cps, "GET", "/cps/prefix/1202555/ppts"); }},
      {"cps", "GET", "/cps/prefix/{digits}/ppts", 400,
       [&] { return send(cps, "GET", "/cps/prefix/120/ppts"); }},
      {"cps", "GET", "/cps/prefix/{digits}/ppts", 413,
       [&] {
         // A second number asked for: more than the one a prefix answer may hold.
         EXPECT_EQ(send(cps, "GET", "/cps/12025550151/ppts").status, 200);
         return send(cps, "GET", "/cps/prefix/1202555/ppts");
       }},
      {"cps", "GET", "/passports/{spc}/{dest}/{orig}", 404,
       [&] { return industry("GET", "/passports/1234" + pair, carrierJwt("retrieve")); }},
      {"cps", "GET", "/passports/{dest}/{orig}", 404,
       [&] { return industry("GET", "/passports" + pair, carrierJwt("retrieve")); }},
      {"cps", "POST", "/passports/{spc}/{dest}/{orig}", 201,
       [&] {
         return industry("POST", "/passports/1234" + pair, carrierJwt("publish", passport),
                         passports);
       }},
      {"cps", "POST", "/passports/{spc}/{dest}/{orig}", 400,
       [&] { return industry("POST", "/passports/1234" + pair, "", "{"); }},
      {"cps", "POST", "/passports/{spc}/{dest}/{orig}", 401,
       [&] { return industry("POST", "/passports/1234" + pair, "", passports); }},
      {"cps", "POST", "/passports/{spc}/{dest}/{orig}", 429,
       [&] {
         // One passport a pair (max_entries_per_tn), and the pair holds one.
         return industry("POST", "/passports/1234" + pair, carrierJwt("publish", passport),
                         passports);
       }},
      {"cps", "POST", "/passports/{dest}/{orig}", 201,
       [&] {
         return industry("POST", "/passports/12025550151/13125550100",
                         carrierJwt("publish", passport, "12025550151"), passports);
       }},
      {"cps", "POST", "/passports/{dest}/{orig}", 400,
       [&] { return industry("POST", "/passports" + pair, "", "{}"); }},
      {"cps", "POST", "/passports/{dest}/{orig}", 401,
       [&] { return industry("POST", "/passports" + pair, carrierJwt("retrieve"), passports); }},
      {"cps", "GET", "/passports/{spc}/{dest}/{orig}", 200,
       [&] { return industry("GET", "/passports/1234" + pair, carrierJwt("retrieve")); }},
      {"cps", "GET", "/passports/{dest}/{orig}", 200,
       [&] { return industry("GET", "/passports" + pair, carrierJwt("retrieve")); }},
      {"cps", "GET", "/passports/{spc}/{dest}/{orig}", 400,
       [&] { return industry("GET", "/passports/1234/x/13125550100", carrierJwt("retrieve")); }},
      {"cps", "GET", "/passports/{spc}/{dest}/{orig}", 401,
       [&] { return industry("GET", "/passports/1234" + pair, ""); }},
      {"cps", "GET", "/passports/{dest}/{orig}", 401,
       [&] { return industry("GET", "/passports" + pair, carrierJwt("publish", passport)); }},
      {"cps", "GET", "/health", 200, [&] { return send(cps, "GET", "/health"); }},
      {"cps", "GET", "/healthz", 200, [&] { return send(cps, "GET", "/healthz"); }},
      {"cps", "GET", "/metrics", 200, [&] { return send(cps, "GET", "/metrics"); }},
      // Last, since they change what the cases above rely on.
      {"directory", "POST", "/v1/keys/{id}/revocation", 200,
       [&] {
         return send(directory, "POST", "/v1/keys/" + key_id + "/revocation",
                     revocation(key_id, pki_->carrier, "j-200"), "application/jose");
       }},
      {"directory", "GET", "/v1/changes", 410,
       [&] {
         // Past the retention: the changes before the sweep are gone.
         clock_->advance(hours(2));
         EXPECT_EQ(send(directory, "POST", "/v1/keys", body(pki_->carrier)).status, 201);
         EXPECT_TRUE(server_->sweepFeed());
         return send(directory, "GET", "/v1/changes?since=0");
       }},
  };

  std::map<std::pair<std::string, std::string>, std::set<int>> exercised;
  // Every answer, for its body to be checked against the document below.
  nlohmann::json answers = nlohmann::json::array();
  auto keep_answer = [&](const std::string& method, const std::string& path,
                         const HttpAnswer& answer) {
    answers.push_back(
        {{"method", method},
         {"path", path},
         {"status", answer.status},
         {"content_type",
          answer.headers.contains("content-type") ? answer.headers.at("content-type") : ""},
         {"body", answer.body}});
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.server + " " + c.method + " " + c.path + " " + std::to_string(c.status));
    auto operation = documented.find({c.method, c.path});
    ASSERT_NE(operation, documented.end());
    EXPECT_TRUE(operation->second.served_by.contains(c.server));
    EXPECT_TRUE(operation->second.statuses.contains(c.status)) << "undocumented status";
    HttpAnswer answer = c.request();
    EXPECT_EQ(answer.status, c.status) << answer.body.substr(0, 300);
    if (answer.status >= 400) {
      EXPECT_EQ(answer.headers["content-type"], "application/problem+json");
    }
    exercised[{c.method, c.path}].insert(c.status);
    keep_answer(c.method, c.path, answer);
  }

  // What the document says of paths and methods no route has.
  for (DirectoryClient* client : {&directory, &cache, &cps}) {
    EXPECT_EQ(send(*client, "GET", "/v1/nothing").status, 404);
    HttpAnswer wrong_method = send(*client, "DELETE", "/metrics");
    EXPECT_EQ(wrong_method.status, 405);
    EXPECT_EQ(wrong_method.headers["allow"], "GET");
  }

  // Writes past the rate a directory allows: a server of its own, so that
  // the limit does not touch the cases above.
  config_.db = (dir_ / "limited.db").string();
  config_.write_rate_per_second = 0.001;
  config_.write_burst = 1;
  auto limited = DirectoryServer::create(config_, clock_.get()).value();
  limited->start();
  auto limited_client =
      DirectoryClient::create("http://127.0.0.1:" + std::to_string(limited->port()), "").value();
  for (const std::string path :
       {"/v1/keys", "/v1/keys/nosuchkey/revocation", "/v1/advertisements"}) {
    SCOPED_TRACE(path);
    send(limited_client, "POST", path, "{}");
    HttpAnswer limited_answer = send(limited_client, "POST", path, "{}");
    EXPECT_EQ(limited_answer.status, 429);
    EXPECT_TRUE(limited_answer.headers.contains("retry-after"));
    std::string templated =
        path == "/v1/keys/nosuchkey/revocation" ? "/v1/keys/{id}/revocation" : path;
    const std::pair<std::string, std::string> key{"POST", templated};
    EXPECT_TRUE(documented[key].statuses.contains(429));
    exercised[key].insert(429);
    keep_answer("POST", templated, limited_answer);
  }
  limited->stop();

  // Each body against the document's schema for it, by an independent
  // validator (tests/interop/response_bodies.mjs, ajv).
  // A TokenResponse is bytes, not UTF-8: replaced, as it is not checked.
  testing::writeText(dir_ / "answers.json",
                     answers.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  std::string checked;
  const int status = testing::runNodeScript(
      "response_bodies.mjs", kOpenApi.string() + " " + (dir_ / "answers.json").string(), &checked);
  EXPECT_EQ(status, 0) << checked;
  const nlohmann::json result = nlohmann::json::parse(checked, nullptr, false);
  EXPECT_GE(result.value("checked", 0), 60) << checked;

  for (const auto& [key, operation] : documented) {
    for (int status : operation.statuses) {
      EXPECT_TRUE(exercised[key].contains(status))
          << key.first << " " << key.second << " documents " << status
          << " and no request here produces it";
    }
  }
}

}  // namespace
}  // namespace keydir
