// CPS advertisements through the real directory: publish, replace, resolve,
// and every refusal with its status and problem type.

#include <gtest/gtest.h>

#include "advertise/advertisement_signer.h"
#include "advertise/advertisement_verifier.h"
#include "certs/base64.h"
#include "certs/es256.h"
#include "certs/jws.h"
#include "tests/directory/directory_server_fixture.h"
#include "tests/support/cps_entries.h"

namespace keydir {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using testing::cpsEntries;
using testing::Identity;

class AdvertisementServerTest : public testing::DirectoryServerTest {
 protected:
  std::string ad(const Identity& who, const std::vector<CpsEntry>& list, seconds iat_offset = {},
                 std::optional<Instant> exp = {}) {
    return signAdvertisement({list, clock_->now() + iat_offset, exp}, who.key.get(), who.chain)
        .value();
  }
  HttpAnswer publish(const std::string& jws) {
    return client_->request("POST", "/v1/advertisements", jws, "application/jose").value();
  }
  std::string published(const std::string& jws) {
    HttpAnswer answer = publish(jws);
    EXPECT_EQ(answer.status, 201) << answer.body;
    return nlohmann::json::parse(answer.body).value("id", "");
  }
  nlohmann::json cpsFor(const std::string& tn) {
    std::string path;
    Poco::URI::encode("/v1/tns/" + tn + "/cps", "+ ()", path);
    HttpAnswer answer = get(path);
    EXPECT_EQ(answer.status, 200) << answer.body;
    return nlohmann::json::parse(answer.body);
  }
  std::vector<std::string> urisFor(const std::string& tn) {
    std::vector<std::string> uris;
    nlohmann::json found = cpsFor(tn);
    for (const auto& entry : found["cps"]) uris.push_back(entry["uri"]);
    return uris;
  }
  // A JWS with any header and payload, properly signed by `key`.
  std::string handMade(nlohmann::json header, std::string_view payload, const Identity& who) {
    header["x5c"] = x5cStrings(who.chain);
    if (!header.contains("alg")) header["alg"] = "ES256";
    if (!header.contains("typ")) header["typ"] = "cps-ad";
    if (!header.contains("iat")) header["iat"] = clock_->now().time_since_epoch().count();
    std::string input = base64UrlEncode(header.dump()) + "." + base64UrlEncode(payload);
    return input + "." + base64UrlEncode(signRaw(who.key.get(), input).value());
  }
};

TEST_F(AdvertisementServerTest, PublishAndResolveMostSpecificFirst) {
  startServer();
  std::string carrier_jws =
      ad(pki_->carrier, cpsEntries({{"1-13125550000-10000", "https://cps2.carrier.example"},
                                    {"0-1234", "https://cps.carrier.example"}}));
  HttpAnswer created = publish(carrier_jws);
  ASSERT_EQ(created.status, 201) << created.body;
  nlohmann::json record = nlohmann::json::parse(created.body);
  std::string carrier = record["id"];
  EXPECT_EQ(carrier, advertisementId(carrier_jws));
  EXPECT_EQ(created.headers["location"], client_->baseUrl() + "/v1/advertisements/" + carrier);
  EXPECT_EQ(record["status"], "current");
  EXPECT_EQ(record["jws"], carrier_jws);
  EXPECT_EQ(record["entries"]["0-1234"], "https://cps.carrier.example");
  // The record lists the entries as they were signed, not sorted.
  EXPECT_EQ(nlohmann::ordered_json::parse(created.body)["entries"].begin().key(),
            "1-13125550000-10000");
  EXPECT_EQ(record["x5u"].get<std::string>().rfind(client_->baseUrl() + "/v1/certs/", 0), 0u);
  EXPECT_EQ(get(record["x5u"].get<std::string>().substr(client_->baseUrl().size())).status, 200);
  HttpAnswer again = publish(carrier_jws + "\n");
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.body, created.body);

  std::string acme = published(ad(pki_->acme, cpsEntries({{"1-12025550100-100", "https://range"},
                                                          {"2-12025550150", "https://number"}})));
  nlohmann::json found = cpsFor("+1 (202) 555-0150");
  EXPECT_EQ(found["tn"], "12025550150");
  ASSERT_EQ(found["cps"].size(), 3u) << found.dump();
  EXPECT_EQ(found["cps"][0],
            (nlohmann::json{
                {"uri", "https://number"},
                {"scope", "2-12025550150"},
                {"ad", acme},
                {"jws", nlohmann::json::parse(get("/v1/advertisements/" + acme).body)["jws"]}}));
  EXPECT_EQ(found["cps"][1]["scope"], "1-12025550100-100");
  EXPECT_EQ(found["cps"][2]["scope"], "0-1234");
  EXPECT_EQ(found["cps"][2]["ad"], carrier);
  // Every entry carries what a client needs to check it.
  for (const auto& entry : found["cps"]) {
    EXPECT_TRUE(verifyAdvertisement(entry["jws"].get<std::string>(), pki_->trust(), clock_->now(),
                                    &pki_->spcMap()));
  }
  EXPECT_EQ(urisFor("13125550000"), std::vector<std::string>{"https://cps2.carrier.example"});
  EXPECT_EQ(urisFor("12025550099"), std::vector<std::string>{"https://cps.carrier.example"});
  EXPECT_TRUE(urisFor("14155550123").empty());
}

TEST_F(AdvertisementServerTest, NewerIatReplacesTheOlderWholeAndOlderIsRefused) {
  startServer();
  std::string first =
      published(ad(pki_->carrier,
                   cpsEntries({{"0-1234", "https://old"}, {"1-13125550000-10000", "https://b"}})));
  std::string newer_jws = ad(pki_->carrier, cpsEntries({{"0-1234", "https://new"}}), seconds(10));
  std::string second = published(newer_jws);
  EXPECT_EQ(urisFor("12025550150"), std::vector<std::string>{"https://new"});
  EXPECT_TRUE(urisFor("13125550001").empty()) << "the older one's other entries went with it";
  nlohmann::json old = nlohmann::json::parse(get("/v1/advertisements/" + first).body);
  EXPECT_EQ(old["status"], "replaced");
  EXPECT_EQ(old["replaced_by"], second);

  expectProblem(publish(ad(pki_->carrier, cpsEntries({{"0-1234", "https://older"}}), seconds(5))),
                422, "expired", "only a newer advertisement replaces it");
  expectProblem(
      publish(ad(pki_->carrier, cpsEntries({{"0-1234", "https://same-iat"}}), seconds(10))), 422,
      "expired", "not older than this one's");
  EXPECT_EQ(urisFor("12025550150"), std::vector<std::string>{"https://new"});
  // Another signer's advertisement is its own.
  published(ad(pki_->acme, cpsEntries({{"2-12025550150", "https://acme"}})));
  EXPECT_EQ(urisFor("12025550150"), (std::vector<std::string>{"https://acme", "https://new"}));
}

TEST_F(AdvertisementServerTest, EachRefusalHasItsStatusAndType) {
  config_.max_body_bytes = 8 * 1024;
  startServer();
  expectProblem(publish(handMade({}, R"({"0-1234":"http://cps.example"})", pki_->carrier)), 400,
                "malformed", "a CPS must be reached over https");
  expectProblem(publish(handMade({}, R"({"0-1234":"https://u:p@cps.example"})", pki_->carrier)),
                400, "malformed", "has userinfo");
  expectProblem(publish(handMade({}, R"({"0-1234":"https://cps.example/a|b"})", pki_->carrier)),
                400, "malformed", "holds only percent-encoded (RFC 3986 section 2)");
  expectProblem(publish(ad(pki_->acme, cpsEntries({{"2-12025550200", "https://cps.example"}}))),
                403, "not-authorized", "does not cover the advertisement");
  expectProblem(publish(ad(pki_->reseller, cpsEntries({{"0-1234", "https://cps.example"}}))), 403,
                "not-authorized", "0-1234");
  nlohmann::json expired_header = {{"iat", (clock_->now() - hours(2)).time_since_epoch().count()},
                                   {"exp", (clock_->now() - hours(1)).time_since_epoch().count()}};
  expectProblem(
      publish(handMade(expired_header, R"({"0-1234":"https://c.example"})", pki_->carrier)), 422,
      "expired", "advertisement expired at");
  std::string stranger = handMade({}, R"({"0-1234":"https://c.example"})", pki_->acme);
  nlohmann::json carrier_x5c = {{"x5c", x5cStrings(pki_->carrier.chain)}};
  {
    // acme's signature under the carrier's chain.
    auto parts = parseJws(stranger).value();
    nlohmann::json header = parts.header;
    header["x5c"] = x5cStrings(pki_->carrier.chain);
    std::string input = base64UrlEncode(header.dump()) + "." + base64UrlEncode(parts.payload);
    std::string forged =
        input + "." + base64UrlEncode(signRaw(pki_->acme.key.get(), input).value());
    expectProblem(publish(forged), 422, "bad-signature", "does not verify with the key");
  }
  for (const char* alg : {"none", "HS256"}) {
    nlohmann::json header = {
        {"alg", alg}, {"typ", "cps-ad"}, {"iat", 1}, {"x5c", x5cStrings(pki_->carrier.chain)}};
    std::string jws = base64UrlEncode(header.dump()) + "." +
                      base64UrlEncode(std::string(R"({"0-1234":"https://c.example"})")) + ".";
    expectProblem(publish(jws), 422, "bad-signature", "only ES256 is accepted");
  }
  std::string pairs = "{";
  for (int i = 0; i < 1001; ++i) {
    pairs +=
        std::string(i ? "," : "") + "\"2-1312555" + std::to_string(1000 + i) + "\":\"https://c\"";
  }
  pairs += "}";
  config_.max_body_bytes = 64 * 1024;
  stopServer();
  startServer();
  expectProblem(publish(handMade({}, pairs, pki_->carrier)), 400, "malformed",
                "has 1001 scope/URI pairs");
  expectProblem(publish(std::string(70 * 1024, 'a')), 413, "payload-too-large", "65536");
  expectProblem(publish("not.a-jws"), 400, "malformed", "three dot-separated parts");
  expectProblem(get("/v1/advertisements/nope"), 404, "not-found", "no advertisement with id nope");
  expectProblem(get("/v1/tns/12x/cps"), 400, "invalid-tn", "12x");
  EXPECT_TRUE(urisFor("12025550150").empty()) << "nothing refused was stored";
}

TEST_F(AdvertisementServerTest, AnAdvertisementLeavesAnswersAtItsExp) {
  startServer();
  std::string id = published(ad(pki_->carrier, cpsEntries({{"0-1234", "https://cps.example"}}), {},
                                clock_->now() + hours(1)));
  HttpAnswer answer = get("/v1/tns/12025550150/cps");
  EXPECT_EQ(answer.headers["cache-control"], "public, max-age=300");
  clock_->advance(hours(1) - seconds(100));
  EXPECT_EQ(get("/v1/tns/12025550150/cps").headers["cache-control"], "public, max-age=100");
  clock_->advance(seconds(99));
  EXPECT_EQ(urisFor("12025550150"), std::vector<std::string>{"https://cps.example"});
  clock_->advance(seconds(1));
  EXPECT_TRUE(urisFor("12025550150").empty());
  EXPECT_EQ(nlohmann::json::parse(get("/v1/advertisements/" + id).body)["status"], "expired");
}

TEST_F(AdvertisementServerTest, ProvisionedEntriesAreServedMarked) {
  testing::writeText(dir_ / "cps.json",
                     R"({"1-12025550000-1000":"https://closed-cps.example","0-9999":"https://x"})");
  config_.provisioned_cps = (dir_ / "cps.json").string();
  startServer();
  published(ad(pki_->acme, cpsEntries({{"2-12025550150", "https://acme"}})));
  published(ad(pki_->reseller, cpsEntries({{"1-12025550000-1000", "https://reseller"}})));
  nlohmann::json found = cpsFor("12025550150");
  ASSERT_EQ(found["cps"].size(), 3u) << found.dump();
  EXPECT_EQ(found["cps"][0]["uri"], "https://acme");
  EXPECT_EQ(found["cps"][1], (nlohmann::json{{"uri", "https://closed-cps.example"},
                                             {"scope", "1-12025550000-1000"},
                                             {"provisioned", true}}));
  EXPECT_EQ(found["cps"][2]["uri"], "https://reseller");
  EXPECT_FALSE(found["cps"][2].contains("provisioned"));
  EXPECT_TRUE(urisFor("13125550000").empty());
}

TEST_F(AdvertisementServerTest, ACpsAnswerHasTheBytesTheJsonLibraryWrites) {
  // The answer is written by hand around its base64url parts, member by
  // member in the order the library writes them, so that its bytes and its
  // ETag are what they were; a URI with RFC 3986's sub-delimiters included.
  const std::string odd = "https://cps.example/p;v=1?q=a+b&r=!$'()*,%20";
  testing::writeText(dir_ / "cps.json", nlohmann::json{{"1-12025550000-1000", odd}}.dump());
  config_.provisioned_cps = (dir_ / "cps.json").string();
  startServer();
  published(ad(pki_->acme, cpsEntries({{"2-12025550150", "https://acme"}})));
  HttpAnswer answer = get("/v1/tns/12025550150/cps");
  ASSERT_EQ(answer.status, 200);
  nlohmann::json found = nlohmann::json::parse(answer.body);
  ASSERT_EQ(found["cps"].size(), 2u) << answer.body;
  EXPECT_EQ(found["cps"][1]["uri"], odd);
  EXPECT_EQ(answer.body, found.dump());
}

TEST_F(AdvertisementServerTest, ABadProvisionedFileStopsTheStart) {
  testing::writeText(dir_ / "cps.json", R"({"0-1234":"http://plain.example"})");
  config_.provisioned_cps = (dir_ / "cps.json").string();
  auto server = DirectoryServer::create(config_, clock_.get());
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().code, ErrorCode::kMalformed);
  EXPECT_NE(server.error().message.find("provisioned CPS file"), std::string::npos);
  EXPECT_NE(server.error().message.find("over https"), std::string::npos);
  config_.provisioned_cps = (dir_ / "missing.json").string();
  auto missing = DirectoryServer::create(config_, clock_.get());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("missing.json"), std::string::npos);
}

TEST_F(AdvertisementServerTest, ARestartKeepsAdvertisements) {
  startServer();
  std::string id = published(ad(pki_->carrier, cpsEntries({{"0-1234", "https://cps.example"}})));
  stopServer();
  startServer();
  EXPECT_EQ(urisFor("12025550150"), std::vector<std::string>{"https://cps.example"});
  EXPECT_EQ(nlohmann::json::parse(get("/v1/advertisements/" + id).body)["status"], "current");
  HttpAnswer metrics = get("/metrics");
  EXPECT_NE(metrics.body.find("keydir_advertisements_published_total"), std::string::npos);
}

}  // namespace
}  // namespace keydir
