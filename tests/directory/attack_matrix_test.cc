// The attack matrix of issue 13: one row per attack on the directory's
// write and read API, each answered with its exact status and problem
// type, and none leaving anything stored (the feed's sequence and the
// live set's digest are the same after every row as before the first).

#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "advertise/advertisement.h"
#include "certs/base64.h"
#include "certs/certificate_issuer.h"
#include "certs/credential_issuer.h"
#include "certs/es256.h"
#include "certs/jws.h"
#include "tests/directory/directory_server_fixture.h"
#include "tests/support/raw_socket.h"

namespace keydir {
namespace {

using std::chrono::hours;

struct Attack {
  std::string name;
  // Sends the attack and returns the answer.
  std::function<HttpAnswer()> send;
  int status;
  std::string type;
  std::string says;  // part of the detail
};

class AttackMatrixTest : public testing::DirectoryServerTest {
 protected:
  // The feed's sequence and digest: any stored change moves them.
  std::pair<long long, std::string> stored() {
    nlohmann::json meta = nlohmann::json::parse(get("/v1/meta").body);
    return {meta["sequence"].get<long long>(), meta["digest"].dump()};
  }

  HttpAnswer send(const std::string& method, const std::string& path, const std::string& body,
                  const std::map<std::string, std::string>& headers = {}) {
    return client_->request(method, path, body, "application/json", headers).value();
  }

  // A JWS over `payload` with `header` and `who`'s chain, signed by `who`.
  std::string jws(nlohmann::json header, const std::string& payload, const testing::Identity& who) {
    std::string input = signingInput(std::move(header), payload, who);
    return input + "." + base64UrlEncode(signRaw(who.key.get(), input).value());
  }
  // The same JWS with `signature`, whatever it is, as its signature.
  std::string jws(nlohmann::json header, const std::string& payload, const testing::Identity& who,
                  const std::string& signature) {
    return signingInput(std::move(header), payload, who) + "." + base64UrlEncode(signature);
  }
  std::string signingInput(nlohmann::json header, const std::string& payload,
                           const testing::Identity& who) {
    header["x5c"] = x5cStrings(who.chain);
    return base64UrlEncode(header.dump()) + "." + base64UrlEncode(payload);
  }

  std::string advertisement(const std::string& payload) {
    return jws({{"alg", "ES256"}, {"typ", "cps-ad"}, {"iat", now()}}, payload, pki_->carrier);
  }

  long long now() const { return clock_->now().time_since_epoch().count(); }

  std::string credentialBody(const testing::Identity& who, hours valid_for = hours(24)) {
    auto issued =
        issueCredential(who.chain, who.key.get(), KeyType::kX25519, valid_for, clock_->now());
    return registrationBody(issued.value().credential, who.chain).dump();
  }
};

TEST_F(AttackMatrixTest, EveryAttackIsRefusedWithItsProblemAndStoresNothing) {
  config_.max_body_bytes = 64 * 1024;
  config_.max_headers = 32;
  startServer();
  // One key stands, to be attacked through revocations.
  const std::string id = registered(pki_->acme);
  nlohmann::json revocation = {{"sub", id}, {"iat", now()}, {"jti", "once"}};
  const std::string revoke_once =
      signJws({}, revocation.dump(), pki_->carrier.key.get(), pki_->carrier.chain).value();
  ASSERT_EQ(post("/v1/keys/" + id + "/revocation", revoke_once).status, 200);
  const std::string other_id = registered(pki_->acme);
  const auto before = stored();

  auto credential = issueCredential(pki_->acme.chain, pki_->acme.key.get(), KeyType::kX25519,
                                    hours(1), pki_->now())
                        .value()
                        .credential;
  auto with = [&](DelegatedCredential changed, const std::vector<X509Ptr>& chain) {
    return registrationBody(changed, chain).dump();
  };
  testing::TestPki stranger;
  const testing::Identity overreaching = pki_->issue([] {
    auto request = testing::issueRequest("overreach", CertificateKind::kEnterprise, "reseller",
                                         {"1-12025559000-100"});
    request.allow_overreach = true;
    return request;
  }());
  // The carrier holds SPC 1234, which the map puts on 1-12025550000-10000;
  // a range outside it is not the carrier's to delegate.
  const testing::Identity unmapped_spc = pki_->issue([] {
    auto request = testing::issueRequest("outside-spc", CertificateKind::kEnterprise, "carrier",
                                         {"1-14155550000-10"});
    request.allow_overreach = true;
    return request;
  }());
  auto revoke = [&](nlohmann::json payload, const testing::Identity& who) {
    return post("/v1/keys/" + other_id + "/revocation",
                signJws({}, payload.dump(), who.key.get(), who.chain).value());
  };
  std::string pairs = "{";
  for (int i = 0; i < 1001; ++i) {
    pairs += std::string(i ? "," : "") + "\"2-1202555" + std::to_string(1000 + i) +
             "\":\"https://cps.example/\"";
  }
  pairs += "}";

  const std::vector<Attack> attacks = {
      {"forged credential signature",
       [&] {
         DelegatedCredential forged = credential;
         forged.signature[10] ^= 1;
         return post("/v1/keys", with(forged, pki_->acme.chain));
       },
       422, "bad-signature", "not signed by"},
      {"credential signed by a leaf without DelegationUsage",
       [&] { return post("/v1/keys", credentialBody(pki_->direct)); }, 403, "not-authorized",
       "DelegationUsage"},
      {"chain to an unknown root", [&] { return post("/v1/keys", credentialBody(stranger.acme)); },
       422, "untrusted-chain", "rejected"},
      {"leaf outside its issuer's TNAuthList",
       [&] { return post("/v1/keys", credentialBody(overreaching)); }, 422, "untrusted-chain",
       "not encompassed"},
      {"numbers outside the issuer's SPC as the SPC map has it",
       [&] { return post("/v1/keys", credentialBody(unmapped_spc)); }, 422, "untrusted-chain",
       "not encompassed"},
      {"expired credential",
       [&] {
         std::string short_lived = credentialBody(pki_->acme, hours(1));
         clock_->advance(hours(2));
         return post("/v1/keys", short_lived);
       },
       422, "expired", "expired at"},
      {"certificates not yet valid (the directory's clock before their notBefore)",
       [&] {
         std::string early = credentialBody(pki_->acme);
         clock_->set(pki_->now() - hours(3));
         return post("/v1/keys", early);
       },
       422, "expired", "not yet valid"},
      {"credential validity past the limit",
       [&] { return post("/v1/keys", credentialBody(pki_->acme, hours(24 * 8))); }, 422,
       "validity-too-long", "more than 604800"},
      {"wrong key type for the code point",
       [&] {
         DelegatedCredential mismatched = credential;
         mismatched.key_algorithm = kCodePointP256;
         return post("/v1/keys", with(mismatched, pki_->acme.chain));
       },
       422, "unsupported-key", "declares P-256"},
      {"x5c with junk",
       [&] {
         nlohmann::json body = nlohmann::json::parse(credentialBody(pki_->acme));
         body["x5c"] = {"bm90IGEgY2VydGlmaWNhdGU"};
         return post("/v1/keys", body.dump());
       },
       400, "malformed", "x5c[0]"},
      {"replayed revocation (jti)",
       [&] { return post("/v1/keys/" + id + "/revocation", revoke_once); }, 403, "not-authorized",
       "used before"},
      {"revocation outside its time window",
       [&] {
         return revoke({{"sub", other_id}, {"iat", now() - 3600}, {"jti", "old"}}, pki_->carrier);
       },
       422, "expired", "within 300 seconds"},
      {"revocation by an unrelated certificate",
       [&] {
         return revoke({{"sub", other_id}, {"iat", now()}, {"jti", "u"}}, pki_->direct);
       },
       403, "not-authorized", "does not cover the key"},
      {"revocation JWS with alg none",
       [&] {
         return post("/v1/keys/" + other_id + "/revocation",
                     jws({{"alg", "none"}},
                         nlohmann::json{{"sub", other_id}, {"iat", now()}, {"jti", "n"}}.dump(),
                         pki_->carrier, ""));
       },
       422, "bad-signature", "\"none\" is refused"},
      {"revocation JWS with HS256",
       [&] {
         return post("/v1/keys/" + other_id + "/revocation",
                     jws({{"alg", "HS256"}},
                         nlohmann::json{{"sub", other_id}, {"iat", now()}, {"jti", "h"}}.dump(),
                         pki_->carrier, std::string(32, 'k')));
       },
       422, "bad-signature", "\"HS256\" is refused"},
      {"advertisement with an http: URI",
       [&] {
         return send("POST", "/v1/advertisements",
                     advertisement(R"({"0-1234":"http://cps.example/"})"));
       },
       400, "malformed", "https"},
      {"advertisement with userinfo in its URI",
       [&] {
         return send("POST", "/v1/advertisements",
                     advertisement(R"({"0-1234":"https://user:pw@cps.example/"})"));
       },
       400, "malformed", "userinfo"},
      {"advertisement over the pair limit",
       [&] { return send("POST", "/v1/advertisements", advertisement(pairs)); }, 400, "malformed",
       "at most 1000"},
      {"body over the size limit", [&] { return post("/v1/keys", std::string(70 * 1024, ' ')); },
       413, "payload-too-large", "65536"},
      {"JSON nested 10,000 deep",
       [&] { return post("/v1/keys", std::string(10000, '[') + std::string(10000, ']')); }, 400,
       "malformed", "not a JSON object"},
      {"invalid UTF-8 in a body",
       [&] { return post("/v1/keys", "{\"dc\":\"\xff\xfe\",\"x5c\":[]}"); }, 400, "malformed",
       "not a JSON object"},
      {"TN with letters", [&] { return get("/v1/tns/1202555O150/keys"); }, 400, "invalid-tn",
       "contains 'O'"},
      {"TN of 16 digits", [&] { return get("/v1/tns/1202555015012345/keys"); }, 400, "invalid-tn",
       "16 digits"},
      // Decoded, the path leaves /v1/certs/: no route, no file.
      {"path traversal in /v1/certs/", [&] { return get("/v1/certs/..%2f..%2f..%2fetc%2fpasswd"); },
       404, "not-found", "no such endpoint"},
      {"path traversal inside one segment", [&] { return get("/v1/certs/..%5c..%5cetc"); }, 400,
       "malformed", "64 lowercase hex"},
      {"header flood",
       [&] {
         std::map<std::string, std::string> flood;
         for (int i = 0; i < 100; ++i) flood["X-Flood-" + std::to_string(i)] = "1";
         return send("GET", "/healthz", "", flood);
       },
       431, "payload-too-large", "header fields"},
      {"body over the size limit, sent slowly",
       [&] {
         // The head says how much is coming; the answer comes before the body.
         auto socket = testing::connectTo(server_->port());
         testing::sendText(socket,
                           "POST /v1/keys HTTP/1.1\r\nHost: x\r\nContent-Length: 700000\r\n\r\n{");
         std::string raw = testing::readAnswer(socket);
         HttpAnswer answer;
         answer.status = std::stoi(raw.substr(9, 3));
         answer.body = raw.substr(raw.find("\r\n\r\n") + 4);
         return answer;
       },
       413, "payload-too-large", "700000 bytes"},
      {"writes past the write rate",
       [&] {
         HttpAnswer answer;
         for (int i = 0; i < 500 && answer.status != 429; ++i) answer = post("/v1/keys", "{}");
         return answer;
       },
       429, "rate-limited", "retry in"},
  };

  for (const Attack& attack : attacks) {
    SCOPED_TRACE(attack.name);
    HttpAnswer answer = attack.send();
    clock_->set(pki_->now());
    EXPECT_EQ(answer.status, attack.status) << answer.body;
    nlohmann::json problem = nlohmann::json::parse(answer.body, nullptr, false);
    ASSERT_TRUE(problem.is_object()) << answer.body;
    if (!attack.type.empty()) {
      EXPECT_EQ(problem["type"], "https://keydir.example/problems/" + attack.type) << answer.body;
    }
    EXPECT_NE(problem.value("detail", "").find(attack.says), std::string::npos) << answer.body;
    EXPECT_EQ(stored(), before) << "stored something";
  }
}

// Two rows that need a directory set up for them.
TEST_F(AttackMatrixTest, AChainLongerThanTheLimitIsRefusedAndStoresNothing) {
  config_.max_chain_length = 3;  // acme's is acme, reseller, carrier, intermediate
  startServer();
  const auto before = stored();
  expectProblem(post("/v1/keys", credentialBody(pki_->acme)), 400, "malformed", "at most 3");
  EXPECT_EQ(stored(), before);
}

TEST_F(AttackMatrixTest, ACertificateOnACrlIsRefusedAndStoresNothing) {
  // The carrier revokes the reseller; acme, which the reseller signed, falls.
  auto crl =
      issueCrl(pki_->carrier.chain[0].get(), pki_->carrier.key.get(),
               {pki_->reseller.chain[0].get()}, pki_->now() - std::chrono::minutes(5), hours(24));
  ASSERT_TRUE(crl);
  testing::writeText(dir_ / "carrier.crl.pem", testing::crlPem(crl->get()));
  config_.crls = {(dir_ / "carrier.crl.pem").string()};
  startServer();
  const auto before = stored();
  expectProblem(post("/v1/keys", credentialBody(pki_->acme)), 422, "untrusted-chain", "revoked");
  EXPECT_EQ(stored(), before);
}

}  // namespace
}  // namespace keydir
