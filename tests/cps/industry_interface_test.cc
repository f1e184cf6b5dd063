// The industry interface (ATIS-1000096 style, docs/design.md section 13): carriers
// publish and retrieve plaintext PASSporTs per pair of numbers, each
// request with its own JWT. Each claim wrong in turn is refused with its
// reason and nothing is kept; the chain comes in x5c or from an https x5u
// (served here by `openssl s_server`).

#include "certs/base64.h"
#include "certs/jws.h"
#include "certs/passport.h"
#include "certs/pem.h"
#include "certs/privacy_pass.h"
#include "cps/cps_server.h"
#include "tests/cps/cps_board_fixture.h"
#include "tests/support/child_server.h"

namespace keydir::testing {
namespace {

constexpr const char* kOrig = "13125550100";  // the carrier's own range

class IndustryInterfaceTest : public CpsBoardTest {
 protected:
  void SetUp() override {
    CpsBoardTest::SetUp();
    DirectoryConfig config;
    config.name = "cps.test";
    config.listen = "127.0.0.1:0";
    config.access_log = "";
    config.trust = config_.trust;
    config.token_keys = (dir_ / "cps-token-keys.json").string();
    config.spc_map = config_.spc_map;  // the reseller's delegate chain names SPC 1234
    useTls();
    config.tls_ca = tls_ca_;
    auto server = CpsServer::create(config, clock_.get());
    ASSERT_TRUE(server) << server.error().message;
    cps_ = std::move(*server);
    cps_->start();
    cps_client_.emplace(DirectoryClient::create(cps_->baseUrl()).value());
    passport_ = signPassport({kOrig, {kCalled}, clock_->now(), "A", ""}, pki_->carrier.key.get(),
                             pki_->carrier.chain)
                    .value();
  }
  void TearDown() override {
    if (cps_) cps_->stop();
    CpsBoardTest::TearDown();
  }

  // The claims TransNexus's sample signs for a publish, for `passports`.
  nlohmann::json publishClaims(const nlohmann::json& passports) {
    nlohmann::json claims = retrieveClaims();
    claims["action"] = "publish";
    claims["exp"] = unixTime(clock_->now()) + 30;
    claims["passports"] = "sha256-" + base64Encode(sha256(passports.dump()));
    return claims;
  }
  nlohmann::json retrieveClaims() {
    return {{"iat", unixTime(clock_->now())},
            {"action", "retrieve"},
            {"spc", "1234"},
            {"iss", "1234"},
            {"aud", "cps.test"},
            {"jti", "jti-" + std::to_string(++jtis_)},
            {"dest", {{"tn", {kCalled}}}},
            {"orig", {{"tn", kOrig}}}};
  }
  std::string jwt(const nlohmann::json& claims, const Identity& signer) {
    return signJws({}, claims.dump(), signer.key.get(), signer.chain).value();
  }
  HttpAnswer send(const std::string& method, const std::string& path, const std::string& token,
                  const std::string& body = "") {
    std::map<std::string, std::string> headers;
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return cps_client_->request(method, path, body, body.empty() ? "" : "application/json", headers)
        .value();
  }
  std::string path() const { return "/passports/1234/" + std::string(kCalled) + "/" + kOrig; }
  std::string body() const { return nlohmann::json{{"passports", {passport_}}}.dump(); }

  std::unique_ptr<CpsServer> cps_;
  std::optional<DirectoryClient> cps_client_;
  std::string passport_;
  int jtis_ = 0;
};

TEST_F(IndustryInterfaceTest, APublishedPassportIsRetrievedUntilItsRetentionEnds) {
  const nlohmann::json passports = {passport_};
  HttpAnswer published = send("POST", path(), jwt(publishClaims(passports), pki_->carrier), body());
  ASSERT_EQ(published.status, 201) << published.body;
  HttpAnswer retrieved = send("GET", path(), jwt(retrieveClaims(), pki_->carrier));
  ASSERT_EQ(retrieved.status, 200) << retrieved.body;
  EXPECT_EQ(nlohmann::json::parse(retrieved.body)["passports"], passports);
  // The path without an SPC names the same pair.
  HttpAnswer short_path = send("GET", "/passports/" + std::string(kCalled) + "/" + kOrig,
                               jwt(retrieveClaims(), pki_->carrier));
  EXPECT_EQ(short_path.status, 200) << short_path.body;
  EXPECT_EQ(send("GET", "/health", "").status, 200);
  clock_->advance(std::chrono::seconds(31));
  HttpAnswer gone = send("GET", path(), jwt(retrieveClaims(), pki_->carrier));
  expectProblem(gone, 404, "not-found", "no passports are live");
}

TEST_F(IndustryInterfaceTest, EachClaimWrongInTurnIsRefusedWithItsReasonAndNothingIsKept) {
  const nlohmann::json passports = {passport_};
  struct Wrong {
    std::string name;
    std::function<void(nlohmann::json&)> change;
    std::string says;
  };
  const std::vector<Wrong> wrongs = {
      {"aud", [](auto& c) { c["aud"] = "other.cps"; }, "aud:"},
      {"iat old", [&](auto& c) { c["iat"] = unixTime(clock_->now()) - 61; }, "iat:"},
      {"action", [](auto& c) { c["action"] = "retrieve"; }, "action:"},
      {"spc not the certificate's", [](auto& c) { c["spc"] = c["iss"] = "9999"; }, "spc:"},
      {"iss not the spc", [](auto& c) { c["iss"] = "4321"; }, "iss:"},
      {"orig", [](auto& c) { c["orig"]["tn"] = "13125550101"; }, "orig:"},
      {"dest", [](auto& c) { c["dest"]["tn"] = {"12025550151"}; }, "dest:"},
      {"digest", [](auto& c) { c["passports"] = "sha256-" + base64Encode(sha256("[]")); },
       "passports:"},
      {"exp past 60 s", [&](auto& c) { c["exp"] = unixTime(clock_->now()) + 61; }, "exp:"},
      {"no exp", [](auto& c) { c.erase("exp"); }, "exp:"},
  };
  for (const Wrong& wrong : wrongs) {
    SCOPED_TRACE(wrong.name);
    nlohmann::json claims = publishClaims(passports);
    wrong.change(claims);
    HttpAnswer refused = send("POST", path(), jwt(claims, pki_->carrier), body());
    EXPECT_EQ(refused.status, 401) << refused.body;
    EXPECT_NE(nlohmann::json::parse(refused.body)["detail"].get<std::string>().find(wrong.says),
              std::string::npos)
        << refused.body;
  }
  // A path SPC other than the JWT's.
  HttpAnswer other_spc = send("POST", "/passports/4321/" + std::string(kCalled) + "/" + kOrig,
                              jwt(publishClaims(passports), pki_->carrier), body());
  EXPECT_EQ(other_spc.status, 401);
  // No bearer at all, and enterprises' certificates, which hold no SPC:
  // one direct, one under an RFC 9060 delegate of the carrier's SPC, whose
  // chain the SPC map lets validate.
  EXPECT_EQ(send("POST", path(), "", body()).status, 401);
  for (const Identity* enterprise : {&pki_->direct, &pki_->acme}) {
    HttpAnswer no_spc = send("POST", path(), jwt(publishClaims(passports), *enterprise), body());
    EXPECT_NE(no_spc.body.find("spc:"), std::string::npos) << no_spc.body;
  }
  // A chain to other anchors.
  TempDir other_dir;
  auto other = PkiDirectory::init(other_dir / "pki", pki_->now()).value();
  IssueRequest rogue = issueRequest("carrier", CertificateKind::kServiceProvider, "intermediate",
                                    {"0-1234", "1-13125550000-10000"});
  other.issue(rogue, pki_->now()).value();
  Identity stranger{loadCertificates(other_dir / "pki" / "carrier.chain.pem").value(),
                    loadPrivateKey(other_dir / "pki" / "carrier.key").value(),
                    {}};
  HttpAnswer untrusted = send("POST", path(), jwt(publishClaims(passports), stranger), body());
  EXPECT_EQ(untrusted.status, 401);
  EXPECT_NE(untrusted.body.find("untrusted-chain"), std::string::npos) << untrusted.body;

  // Nothing of all that was kept.
  HttpAnswer none = send("GET", path(), jwt(retrieveClaims(), pki_->carrier));
  EXPECT_EQ(none.status, 404) << none.body;

  // A jti is taken once, whatever else the JWT says.
  const std::string once = jwt(retrieveClaims(), pki_->carrier);
  EXPECT_EQ(send("GET", path(), once).status, 404);
  HttpAnswer replayed = send("GET", path(), once);
  EXPECT_EQ(replayed.status, 401);
  EXPECT_NE(replayed.body.find("jti:"), std::string::npos) << replayed.body;
}

TEST_F(IndustryInterfaceTest, AChainAtAnHttpsX5uIsFetchedAndAPlainHttpOneRefused) {
  writeText(dir_ / "carrier.pem", readText(pki_->carrier.files.chain));
  ChildServer server({"openssl", "s_server", "-quiet", "-accept", "{port}", "-cert",
                      config_.tls_cert, "-key", config_.tls_key, "-WWW"},
                     dir_.path(), dir_ / "s_server.log");
  ASSERT_NE(server.port(), 0) << "openssl s_server did not start";
  const std::string x5u = "https://127.0.0.1:" + std::to_string(server.port()) + "/carrier.pem";
  auto signWithX5u = [&](const nlohmann::json& claims, const std::string& url) {
    return signJws({{"x5u", url}}, claims.dump(), pki_->carrier.key.get(), {}).value();
  };
  const nlohmann::json passports = {passport_};
  HttpAnswer published = send("POST", path(), signWithX5u(publishClaims(passports), x5u), body());
  EXPECT_EQ(published.status, 201) << published.body;
  HttpAnswer plain =
      send("GET", path(), signWithX5u(retrieveClaims(), "http://127.0.0.1:1/carrier.pem"));
  EXPECT_EQ(plain.status, 401);
  EXPECT_NE(plain.body.find("not an https URL"), std::string::npos) << plain.body;

  // Storage tokens for a JWT naming its chain by x5u: the first request
  // fetches it (a worker serves it), the next finds it validated (the
  // event thread that read it serves it); both are issued alike.
  writeText(dir_ / "carrier-again.pem", readText(pki_->carrier.files.chain));
  const std::string again =
      "https://127.0.0.1:" + std::to_string(server.port()) + "/carrier-again.pem";
  auto directory = nlohmann::json::parse(
      cps_client_->request("GET", "/.well-known/private-token-issuer-directory").value().body);
  const std::string token_key(asStringView(
      base64UrlDecodePadded(directory["token-keys"][0]["token-key"].get<std::string>()).value()));
  const std::string challenge =
      encodeTokenChallenge({kBlindRsaTokenType, "cps.test", "", "cps.test"});
  for (int round = 0; round < 2; ++round) {
    auto draft = draftTokenRequest(token_key, challenge).value();
    const nlohmann::json claims = {{"iat", unixTime(clock_->now())},
                                   {"jti", "token-" + std::to_string(round)},
                                   {"aud", "cps.test"},
                                   {"action", "token"},
                                   {"req", base64UrlEncode(sha256(draft.request))}};
    HttpAnswer issued = cps_client_
                            ->request("POST", "/cps/token-request", draft.request,
                                      "application/private-token-request",
                                      {{"Authorization", "Bearer " + signWithX5u(claims, again)}})
                            .value();
    ASSERT_EQ(issued.status, 200) << "round " << round << ": " << issued.body;
    EXPECT_TRUE(finalizeToken(token_key, draft.pending, issued.body)) << "round " << round;
  }
}

}  // namespace
}  // namespace keydir::testing
