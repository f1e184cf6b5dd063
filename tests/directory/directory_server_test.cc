// The directory as a client sees it: a real server on 127.0.0.1 (plain and
// TLS), a real SQLite file, certificates from the test PKI, a fake clock.

#include "directory/server/directory_server.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "certs/base64.h"
#include "certs/credential_issuer.h"
#include "certs/jws.h"
#include "certs/pem.h"
#include "directory/client/directory_client.h"
#include "tests/directory/directory_server_fixture.h"
#include "tests/support/test_pki.h"

namespace keydir {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using testing::DirectoryServerTest;
using testing::Identity;

TEST_F(DirectoryServerTest, RegisterLookUpAndRevoke) {
  startServer();
  std::string request = body(pki_->acme);
  HttpAnswer created = post("/v1/keys", request);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = nlohmann::json::parse(created.body)["id"];
  EXPECT_EQ(created.headers["location"], client_->baseUrl() + "/v1/keys/" + id);
  EXPECT_EQ(nlohmann::json::parse(created.body)["x5u"].get<std::string>().rfind(
                client_->baseUrl() + "/v1/certs/", 0),
            0u);
  HttpAnswer again = post("/v1/keys", request);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, created.body);

  EXPECT_EQ(idsFor("12025550100"), std::vector<std::string>{id});
  EXPECT_EQ(idsFor("12025550199"), std::vector<std::string>{id});
  EXPECT_TRUE(idsFor("12025550099").empty());
  EXPECT_TRUE(idsFor("12025550200").empty());
  EXPECT_EQ(nlohmann::json::parse(get("/v1/keys/" + id).body)["status"], "live");

  nlohmann::json payload = {
      {"sub", id}, {"iat", clock_->now().time_since_epoch().count()}, {"jti", "r1"}};
  std::string jws =
      signJws({}, payload.dump(), pki_->carrier.key.get(), pki_->carrier.chain).value();
  HttpAnswer revoked = post("/v1/keys/" + id + "/revocation", jws);
  EXPECT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_TRUE(idsFor("12025550100").empty());
  EXPECT_EQ(nlohmann::json::parse(get("/v1/keys/" + id).body)["status"], "revoked");
  expectProblem(post("/v1/keys/" + id + "/revocation", jws), 403, "not-authorized", "used before");
}

TEST_F(DirectoryServerTest, SpcKeyIsFoundThroughTheMapMostSpecificFirst) {
  startServer();
  std::string carrier = registered(pki_->carrier);
  std::string acme = registered(pki_->acme);
  EXPECT_EQ(idsFor("+1 202 555 0150"), (std::vector<std::string>{acme, carrier}));
  EXPECT_EQ(idsFor("12025559999"), std::vector<std::string>{carrier});
}

TEST_F(DirectoryServerTest, EveryErrorTypeHasItsStatus) {
  config_.max_body_bytes = 8 * 1024;
  startServer();
  expectProblem(get("/v1/tns/12x4/keys"), 400, "invalid-tn", "'x'");
  expectProblem(post("/v1/keys", "{"), 400, "malformed", "JSON object");
  for (int i = 0; i < 20; ++i) {  // every time, not by luck of timing
    expectProblem(post("/v1/keys", std::string(9000 + i * 4000, ' ')), 413, "payload-too-large",
                  "8192");
  }
  expectProblem(get("/v1/keys/nothing-here"), 404, "not-found", "nothing-here");
  expectProblem(get("/v1/certs/xyz"), 400, "malformed", "64 lowercase hex");

  testing::TestPki other;
  expectProblem(post("/v1/keys", body(other.acme)), 422, "untrusted-chain", "rejected");

  auto credential = issueCredential(pki_->acme.chain, pki_->acme.key.get(), KeyType::kX25519,
                                    hours(1), pki_->now())
                        .value()
                        .credential;
  auto with = [&](DelegatedCredential changed) {
    return registrationBody(changed, pki_->acme.chain).dump();
  };
  DelegatedCredential forged = credential;
  forged.signature[10] ^= 1;
  expectProblem(post("/v1/keys", with(forged)), 422, "bad-signature", "not signed by");
  DelegatedCredential mismatched = credential;
  mismatched.key_algorithm = kCodePointP256;
  expectProblem(post("/v1/keys", with(mismatched)), 422, "unsupported-key", "declares P-256");
  expectProblem(post("/v1/keys", body(pki_->acme, hours(24 * 8))), 422, "validity-too-long",
                "more than 604800");
  std::string short_lived = body(pki_->acme, hours(1));
  clock_->advance(hours(2));
  expectProblem(post("/v1/keys", short_lived), 422, "expired", "expired at");
  clock_->set(pki_->now());
  expectProblem(post("/v1/keys", body(pki_->direct)), 403, "not-authorized", "DelegationUsage");
  for (int i = 0; i < 4; ++i) registered(pki_->acme);
  expectProblem(post("/v1/keys", body(pki_->acme)), 409, "too-many-keys", "limit is 4");

  HttpAnswer wrong_method = client_->request("DELETE", "/v1/keys").value();
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.headers["allow"], "POST");
  expectProblem(get("/v1/nowhere"), 404, "not-found", "no such endpoint");
}

TEST_F(DirectoryServerTest, WritesPastTheRateLimitGet429WithRetryAfter) {
  config_.write_rate_per_second = 1;
  config_.write_burst = 3;
  startServer();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(post("/v1/keys", "{}").status, 400);
  HttpAnswer limited = post("/v1/keys", "{}");
  expectProblem(limited, 429, "rate-limited", "retry in");
  EXPECT_EQ(limited.headers["retry-after"], "1");
  EXPECT_EQ(get("/v1/tns/12025550100/keys").status, 200);  // reads are not limited
}

TEST_F(DirectoryServerTest, LookupsCarryETagAndAMaxAgeNoLongerThanTheSoonestExpiry) {
  startServer();
  registered(pki_->acme, hours(24));
  HttpAnswer first = get("/v1/tns/12025550100/keys");
  EXPECT_EQ(first.headers["cache-control"], "public, max-age=300");
  auto short_lived = issueCredential(pki_->acme.chain, pki_->acme.key.get(), KeyType::kP256,
                                     seconds(100), pki_->now());
  ASSERT_EQ(
      post("/v1/keys", registrationBody(short_lived->credential, pki_->acme.chain).dump()).status,
      201);
  HttpAnswer second = get("/v1/tns/12025550100/keys");
  EXPECT_EQ(second.headers["cache-control"], "public, max-age=100");
  ASSERT_FALSE(second.headers["etag"].empty());
  EXPECT_NE(second.headers["etag"], first.headers["etag"]);

  Poco::Net::HTTPClientSession session("127.0.0.1", Poco::UInt16(server_->port()));
  Poco::Net::HTTPRequest conditional("GET", "/v1/tns/12025550100/keys");
  conditional.set("If-None-Match", second.headers["etag"]);
  session.sendRequest(conditional);
  Poco::Net::HTTPResponse response;
  session.receiveResponse(response);
  EXPECT_EQ(response.getStatus(), 304);
}

TEST_F(DirectoryServerTest, ExpiredKeyDisappearsAtItsExpiryInstant) {
  startServer();
  std::string id = registered(pki_->acme, hours(2));
  clock_->advance(hours(2) - seconds(1));
  EXPECT_EQ(idsFor("12025550100"), std::vector<std::string>{id});
  clock_->advance(seconds(1));
  EXPECT_TRUE(idsFor("12025550100").empty());
  EXPECT_EQ(nlohmann::json::parse(get("/v1/keys/" + id).body)["status"], "expired");
}

TEST_F(DirectoryServerTest, ASecondServerCannotTakeAPortInUse) {
  startServer();
  DirectoryConfig second = config_;
  second.db = (dir_ / "other.db").string();
  second.listen = "127.0.0.1:" + std::to_string(server_->port());
  auto other = DirectoryServer::create(second, clock_.get());
  ASSERT_FALSE(other) << "two directories would share the port's connections";
  EXPECT_EQ(other.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(other.error().message.find("cannot listen on " + second.listen), std::string::npos)
      << other.error().message;
}

TEST_F(DirectoryServerTest, ARestartKeepsEverything) {
  startServer();
  std::string id = registered(pki_->acme);
  std::string address = nlohmann::json::parse(get("/v1/keys/" + id).body)["x5u"].get<std::string>();
  address = address.substr(address.rfind('/') + 1);
  stopServer();
  config_.spc_map.clear();  // the map is in the database now
  startServer();
  EXPECT_EQ(idsFor("12025550150"), std::vector<std::string>{id});
  HttpAnswer chain = get("/v1/certs/" + address);
  EXPECT_EQ(chain.status, 200);
  EXPECT_EQ(certificatesFromPem(chain.body).value().size(), 4u);
  EXPECT_NE(chain.headers["cache-control"].find("immutable"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(get("/v1/meta").body)["keys"], 1);
}

TEST_F(DirectoryServerTest, EightThreadsRegisteringAtOnceLoseNothing) {
  startServer();
  std::vector<std::string> bodies;
  for (int i = 0; i < 8; ++i) {
    std::string name = "http-writer";
    name += std::to_string(i);
    std::string scope = "2-1202555090";
    scope += std::to_string(i);
    bodies.push_back(body(pki_->issue(
        testing::issueRequest(name, CertificateKind::kEnterprise, "reseller", {scope}))));
  }
  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  std::string base = client_->baseUrl();
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto client = DirectoryClient::create(base).value();
      for (int round = 0; round < 3; ++round) {
        auto answer = client.request("POST", "/v1/keys", bodies[i], "application/json");
        if (answer && answer->status == 201) ++created;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(created, 8);
  EXPECT_EQ(nlohmann::json::parse(get("/v1/meta").body)["keys"], 8);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(idsFor("1202555090" + std::to_string(i)).size(), 1u);
}

TEST_F(DirectoryServerTest, ManyConcurrentKeepAliveClientsAreAllServed) {
  startServer();
  constexpr int kClients = 256;
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&] {
      Poco::Net::HTTPClientSession session("127.0.0.1", Poco::UInt16(server_->port()));
      session.setKeepAlive(true);
      session.setTimeout(Poco::Timespan(20, 0));
      for (int request = 0; request < 3; ++request) {
        try {
          Poco::Net::HTTPRequest get_health("GET", "/healthz", Poco::Net::HTTPMessage::HTTP_1_1);
          get_health.setKeepAlive(true);
          session.sendRequest(get_health);
          Poco::Net::HTTPResponse response;
          std::istream& in = session.receiveResponse(response);
          in.ignore(std::numeric_limits<std::streamsize>::max());
          if (response.getStatus() == 200) ++answered;
          // Stay connected a moment so all clients hold their connections at once.
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        } catch (const std::exception&) {
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(answered, kClients * 3);
}

TEST_F(DirectoryServerTest, AccessLogHoldsNoFullTn) {
  startServer();
  get("/v1/tns/12025550100/keys");
  get("/v1/tns/%2B1-202-555-0177/keys");
  stopServer();
  std::string log = testing::readText(dir_ / "access.log");
  EXPECT_NE(log.find("/v1/tns/1202*******/keys"), std::string::npos) << log;
  EXPECT_EQ(log.find("12025550100"), std::string::npos) << log;
  EXPECT_EQ(log.find("555-0177"), std::string::npos) << log;
  EXPECT_EQ(log.find("5550177"), std::string::npos) << log;
}

TEST_F(DirectoryServerTest, HealthMetaAndMetricsAnswer) {
  startServer();
  registered(pki_->acme);
  EXPECT_EQ(get("/healthz").status, 200);
  nlohmann::json meta = nlohmann::json::parse(get("/v1/meta").body);
  EXPECT_EQ(meta["bucket_bits"], 16);
  EXPECT_EQ(meta["wide_threshold"], 1000);
  EXPECT_EQ(meta["limits"]["max_keys_per_signer_scope"], 4);
  EXPECT_GE(meta["sequence"].get<int>(), 1);
  ASSERT_EQ(get("/v1/tns/12025550100/keys").status, 200);  // one answer held
  ASSERT_EQ(get("/v1/tns/12025550100/cps").status, 200);   // and one CPS answer
  HttpAnswer metrics = get("/metrics");
  EXPECT_NE(metrics.body.find("keydir_live_keys 1"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("keydir_lookup_answers_held 1"), std::string::npos) << metrics.body;
  EXPECT_EQ(metrics.body.find("keydir_lookup_answers_bytes 0"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("keydir_cps_answers_held 1"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find(R"(keydir_http_requests_total{route="/v1/keys",status="201"} 1)"),
            std::string::npos)
      << metrics.body;
}

class DirectoryTlsTest : public DirectoryServerTest {
 protected:
  void SetUp() override {
    DirectoryServerTest::SetUp();
    useTls();
  }
};

TEST_F(DirectoryTlsTest, RegistersAndLooksUpOverHttps) {
  startServer();
  std::string id = registered(pki_->acme);
  EXPECT_EQ(idsFor("12025550150"), std::vector<std::string>{id});
  EXPECT_EQ(nlohmann::json::parse(get("/v1/keys/" + id).body)["x5u"].get<std::string>().rfind(
                "https://", 0),
            0u);
}

TEST_F(DirectoryTlsTest, RefusesTlsOlderThan12) {
  startServer();
  std::string port = std::to_string(server_->port());
  std::string output;
  int old = testing::runCommand(
      "echo | openssl s_client -connect 127.0.0.1:" + port + " -tls1_1 -cipher DEFAULT@SECLEVEL=0",
      &output);
  EXPECT_NE(old, 0) << output;
  output.clear();
  int current = testing::runCommand(
      "echo | openssl s_client -connect 127.0.0.1:" + port + " -tls1_2", &output);
  EXPECT_EQ(current, 0) << output;
}

TEST_F(DirectoryTlsTest, ClientRefusesAServerItDoesNotTrust) {
  startServer();
  auto stranger = DirectoryClient::create("https://127.0.0.1:" + std::to_string(server_->port()),
                                          pki_->directory().trustFile().string())
                      .value();
  auto answer = stranger.request("GET", "/healthz");
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace keydir
