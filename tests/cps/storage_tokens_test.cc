// Storage tokens at a CPS in this process, on a clock the test turns
// (docs/design.md section 14): the RFC 9577 challenge a store without a
// token gets, the issuer directory, issuance to holders of a STIR
// certificate and each way a token or a TokenRequest can be wrong, key
// rotation with its day of grace, and the per-number flood limit that
// holds whatever the tokens.

#include "tests/support/storage_tokens.h"

#include "certs/base64.h"
#include "certs/hex.h"
#include "certs/jws.h"
#include "certs/pem.h"
#include "certs/privacy_pass.h"
#include "cps/cps_server.h"
#include "tests/cps/cps_board_fixture.h"
#include "tests/support/metric_value.h"

namespace keydir::testing {
namespace {

class StorageTokensTest : public CpsBoardTest {
 protected:
  void SetUp() override {
    CpsBoardTest::SetUp();
    cps_config_.name = "cps.test";
    cps_config_.listen = "127.0.0.1:0";
    cps_config_.access_log = "";
    cps_config_.trust = config_.trust;
    cps_config_.token_keys = (dir_ / "cps-token-keys.json").string();
    cps_config_.tokens_per_hour = 3;
    cps_config_.max_stores_per_tn_per_minute = 3;
    startCps();
  }
  void TearDown() override {
    if (cps_) cps_->stop();
    CpsBoardTest::TearDown();
  }
  void startCps() {
    if (cps_) cps_->stop();
    auto server = CpsServer::create(cps_config_, clock_.get());
    ASSERT_TRUE(server) << server.error().message;
    cps_ = std::move(*server);
    cps_->start();
    cps_client_.emplace(DirectoryClient::create(cps_->baseUrl()).value());
  }

  std::vector<std::string> tokens(std::size_t count) {
    return storageTokens(*cps_client_, pki_->carrier, count, clock_->now());
  }
  HttpAnswer store(const std::map<std::string, std::string>& headers,
                   const std::string& tn = kCalled) {
    return cps_client_
        ->request("POST", "/cps/" + tn + "/ppts",
                  nlohmann::json{{"jwes", callerEntry(passportOf(480))}}.dump(), "application/json",
                  headers)
        .value();
  }
  HttpAnswer storeWith(const std::string& token_bytes) {
    return store(spending(base64UrlEncodePadded(token_bytes)));
  }
  // A TokenRequest sent as `who` signs it, with `claims` over the usual.
  HttpAnswer askForToken(const std::string& body, const nlohmann::json& claims = {},
                         const std::vector<X509Ptr>* chain = nullptr, EVP_PKEY* key = nullptr) {
    nlohmann::json signed_claims = {{"iat", unixTime(clock_->now())},
                                    {"jti", freshJti()},
                                    {"aud", "cps.test"},
                                    {"action", "token"},
                                    {"req", base64UrlEncode(sha256(body))}};
    if (claims.is_object()) signed_claims.update(claims);
    const std::string jwt = signJws({}, signed_claims.dump(), key ? key : pki_->carrier.key.get(),
                                    chain ? *chain : pki_->carrier.chain)
                                .value();
    return cps_client_
        ->request("POST", "/cps/token-request", body, "application/private-token-request",
                  {{"Authorization", "Bearer " + jwt}})
        .value();
  }
  std::string tokenKey() {
    auto directory = nlohmann::json::parse(
        cps_client_->request("GET", "/.well-known/private-token-issuer-directory").value().body);
    auto bytes = base64UrlDecodePadded(directory["token-keys"][0]["token-key"].get<std::string>());
    return std::string(asStringView(bytes.value()));
  }
  std::string challenge() {
    return encodeTokenChallenge({kBlindRsaTokenType, "cps.test", "", "cps.test"});
  }
  double metric(const std::string& name) {
    return metricValue(cps_client_->request("GET", "/metrics").value().body, name, -1);
  }

  DirectoryConfig cps_config_;
  std::unique_ptr<CpsServer> cps_;
  std::optional<DirectoryClient> cps_client_;
};

// The value of `name`="..." in a WWW-Authenticate header.
std::string parameter(const std::string& header, const std::string& name) {
  const std::size_t at = header.find(name + "=\"");
  if (at == std::string::npos) return "";
  const std::size_t start = at + name.size() + 2;
  return header.substr(start, header.find('"', start) - start);
}

TEST_F(StorageTokensTest, AStoreWithoutATokenIsChallengedWithTheKeyTheDirectoryLists) {
  HttpAnswer refused = store({});
  expectProblem(refused, 401, "not-authorized", "keydir cps tokens");
  const std::string header = refused.headers.at("www-authenticate");
  auto challenge_bytes = base64UrlDecodePadded(parameter(header, "challenge"));
  ASSERT_TRUE(challenge_bytes) << header;
  auto challenge = parseTokenChallenge(asStringView(*challenge_bytes));
  ASSERT_TRUE(challenge) << challenge.error().message;
  EXPECT_EQ(challenge->token_type, 2);
  EXPECT_EQ(challenge->issuer_name, "cps.test");
  EXPECT_EQ(challenge->origin_info, "cps.test");
  EXPECT_TRUE(challenge->redemption_context.empty());

  HttpAnswer directory =
      cps_client_->request("GET", "/.well-known/private-token-issuer-directory").value();
  ASSERT_EQ(directory.status, 200);
  EXPECT_EQ(directory.headers.at("content-type"), "application/private-token-issuer-directory");
  nlohmann::json listed = nlohmann::json::parse(directory.body);
  EXPECT_EQ(listed["issuer-request-uri"], "/cps/token-request");
  ASSERT_EQ(listed["token-keys"].size(), 1u);
  EXPECT_EQ(listed["token-keys"][0]["token-type"], 2);
  EXPECT_EQ(listed["token-keys"][0]["token-key"], parameter(header, "token-key"));
  EXPECT_TRUE(parseTokenKey(tokenKey()).has_value());
  // The key is kept for a restart, readable by its owner alone.
  EXPECT_EQ(
      std::filesystem::status(cps_config_.token_keys).permissions() & std::filesystem::perms::all,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(metric("keydir_cps_stores_total"), 0);
}

TEST_F(StorageTokensTest, ATokenStoresOnceAndEveryBadOneIsRefusedWithItsReason) {
  const std::string good =
      std::string(asStringView(base64UrlDecodePadded(tokens(1).at(0)).value()));
  auto flipped = [&](std::size_t byte) {
    std::string bad = good;
    bad[byte] = char(bad[byte] ^ 0x10);
    return bad;
  };
  // Another issuer's key over this CPS's own challenge.
  EvpPkeyPtr stranger(EVP_RSA_gen(2048));
  const std::string stranger_key = encodeTokenKey(stranger.get()).value();
  auto stranger_draft = draftTokenRequest(stranger_key, challenge()).value();
  const std::string foreign =
      finalizeToken(
          stranger_key, stranger_draft.pending,
          issueTokenResponse(stranger.get(), parseTokenRequest(stranger_draft.request).value())
              .value())
          .value();
  // This CPS's key, drawn for another origin's challenge.
  auto other_draft = draftTokenRequest(
      tokenKey(), encodeTokenChallenge({kBlindRsaTokenType, "cps.test", "", "elsewhere.test"}));
  const std::string other_challenge =
      finalizeToken(
          tokenKey(), other_draft->pending,
          cps_->service().tokens->issue(other_draft->request, "test", clock_->now()).value())
          .value();

  struct Bad {
    std::map<std::string, std::string> headers;
    std::string says;
  };
  const std::vector<Bad> bad = {
      {spending(base64UrlEncodePadded(flipped(300))), "altered"},
      {spending(base64UrlEncodePadded(flipped(10))), "altered"},  // the nonce
      {spending(base64UrlEncodePadded(flipped(40))), "another challenge"},
      {spending(base64UrlEncodePadded(flipped(70))), "not one of this CPS's"},
      {spending(base64UrlEncodePadded(flipped(1))), "token_type"},
      {spending(base64UrlEncodePadded(good.substr(0, 300))), "354 bytes"},
      {spending(base64UrlEncodePadded(foreign)), "not one of this CPS's"},
      {spending(base64UrlEncodePadded(other_challenge)), "another challenge"},
      {{{"Authorization", "PrivateToken token=\"@@@@\""}}, "padded base64url"},
      {{{"Authorization", "Bearer " + base64UrlEncodePadded(good)}}, "PrivateToken"},
      {{{"Authorization", "PrivateToken nonce=\"abc\""}}, "no token parameter"},
  };
  for (const Bad& one : bad) {
    SCOPED_TRACE(one.says);
    HttpAnswer refused = store(one.headers);
    expectProblem(refused, 401, "not-authorized", one.says);
    EXPECT_TRUE(refused.headers.contains("www-authenticate"));
  }
  EXPECT_EQ(metric("keydir_cps_stores_total"), 0) << "nothing stored";
  EXPECT_EQ(storeWith(good).status, 201) << "no refusal spent the good token";
  expectProblem(storeWith(good), 401, "not-authorized", "spent before");
  EXPECT_EQ(metric("keydir_cps_stores_total"), 1);
  EXPECT_EQ(metric("keydir_cps_tokens_redeemed_total"), 1);
}

TEST_F(StorageTokensTest, KeysTurnAndTheOldKeysTokensAreTakenForADayThenRefused) {
  const std::vector<std::string> early = tokens(3);
  const std::string first_key = tokenKey();
  // To an hour past the next turn of the 7-day period.
  const long long period = 7 * 86400;
  const Instant turn{std::chrono::seconds((unixTime(clock_->now()) / period + 1) * period)};
  clock_->set(turn + std::chrono::hours(1));
  EXPECT_NE(tokenKey(), first_key) << "a new key issues";
  nlohmann::json listed = nlohmann::json::parse(
      cps_client_->request("GET", "/.well-known/private-token-issuer-directory").value().body);
  EXPECT_EQ(listed["token-keys"].size(), 2u) << "the old one is listed while its tokens are taken";
  EXPECT_EQ(store(spending(early[0])).status, 201) << "within the day of grace";
  clock_->set(turn + std::chrono::hours(25));
  expectProblem(store(spending(early[1])), 401, "not-authorized", "rotated out");
  const std::vector<std::string> fresh = tokens(1);
  EXPECT_EQ(store(spending(fresh.at(0))).status, 201);
  // A restart keeps the keys: a token fetched before it stores after it.
  const std::vector<std::string> before_restart = tokens(1);
  startCps();
  EXPECT_EQ(store(spending(before_restart.at(0))).status, 201);
}

TEST_F(StorageTokensTest, AFreshCpsInAPeriodsFirstDayMakesNoKeyForThePeriodGoneBy) {
  const long long period = 7 * 86400;
  const Instant turn{std::chrono::seconds((unixTime(clock_->now()) / period + 1) * period)};
  clock_->set(turn + std::chrono::hours(2));
  cps_config_.token_keys = (dir_ / "fresh-token-keys.json").string();
  startCps();
  nlohmann::json listed = nlohmann::json::parse(
      cps_client_->request("GET", "/.well-known/private-token-issuer-directory").value().body);
  EXPECT_EQ(listed["token-keys"].size(), 1u) << listed.dump();
  EXPECT_EQ(listed["token-keys"][0]["not-before"], unixTime(turn));
  EXPECT_EQ(store(spending(tokens(1).at(0))).status, 201);
}

TEST_F(StorageTokensTest, AFloodUnderOneNumberIsAnswered429WhateverItsTokens) {
  const std::vector<std::string> held = tokens(3);
  // Two more from a second certificate: the limit is the number's.
  std::vector<std::string> more = storageTokens(*cps_client_, pki_->direct, 2, clock_->now());
  for (int store_count = 0; store_count < 3; ++store_count) {
    EXPECT_EQ(store(spending(held[store_count])).status, 201);
  }
  HttpAnswer flooded = store(spending(more[0]));
  expectProblem(flooded, 429, "rate-limited", "max_stores_per_tn_per_minute");
  EXPECT_TRUE(flooded.headers.contains("retry-after"));
  EXPECT_EQ(store(spending(more[1]), "12025550151").status, 201) << "another number is not held up";
}

TEST_F(StorageTokensTest, IssuanceRefusesWhoIsNotEntitledAndRequestsItCannotSign) {
  auto draft = draftTokenRequest(tokenKey(), challenge()).value();
  // Without a JWT: 401 with the Bearer challenge.
  HttpAnswer bare = cps_client_
                        ->request("POST", "/cps/token-request", draft.request,
                                  "application/private-token-request")
                        .value();
  expectProblem(bare, 401, "not-authorized", "");
  EXPECT_EQ(bare.headers.at("www-authenticate"), "Bearer");
  // A certificate the openssl command line made, chaining to no anchor.
  const std::string key_file = (dir_ / "stranger.key").string();
  const std::string cert_file = (dir_ / "stranger.pem").string();
  std::string output;
  ASSERT_EQ(runCommand("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                       "-keyout " +
                           key_file + " -out " + cert_file + " -subj /CN=stranger -days 2",
                       &output),
            0)
      << output;
  auto stranger_chain = loadCertificates(cert_file).value();
  auto stranger_key = loadPrivateKey(key_file).value();
  expectProblem(askForToken(draft.request, {}, &stranger_chain, stranger_key.get()), 401,
                "untrusted-chain", "");
  expectProblem(askForToken(draft.request, {{"aud", "other.test"}}), 401, "not-authorized", "aud");
  expectProblem(askForToken(draft.request, {{"req", "AAAA"}}), 401, "not-authorized", "req");
  // Requests the issuer cannot sign: 422 (RFC 9578 section 6.2).
  std::string wrong_type = draft.request;
  wrong_type[1] = 1;
  expectProblem(askForToken(wrong_type), 422, "malformed", "token_type 1");
  expectProblem(askForToken(draft.request.substr(0, 200)), 422, "malformed", "259 bytes");
  std::string wrong_key = draft.request;
  wrong_key[2] = char(wrong_key[2] ^ 1);
  expectProblem(askForToken(wrong_key), 422, "malformed", "issuer-directory");
  const std::string too_big = draft.request.substr(0, 3) + std::string(256, '\xff');
  expectProblem(askForToken(too_big), 422, "malformed", "below the key's modulus");
  // A replayed JWT is refused even with its request.
  const std::string jwt_claims_jti = "replayed-once";
  EXPECT_EQ(askForToken(draft.request, {{"jti", jwt_claims_jti}}).status, 200);
  expectProblem(askForToken(draft.request, {{"jti", jwt_claims_jti}}), 401, "not-authorized",
                "jti");
  // tokens_per_hour (3 here) per certificate: two more, then 429.
  EXPECT_EQ(askForToken(draft.request).status, 200);
  EXPECT_EQ(askForToken(draft.request).status, 200);
  HttpAnswer over = askForToken(draft.request);
  expectProblem(over, 429, "rate-limited", "tokens_per_hour");
  EXPECT_GT(std::stoi(over.headers.at("retry-after")), 0);
  EXPECT_EQ(metric("keydir_cps_tokens_issued_total"), 3);
}

TEST_F(StorageTokensTest, AKeyFileOthersMayReadStopsTheStart) {
  cps_->stop();
  cps_.reset();
  std::filesystem::permissions(cps_config_.token_keys, std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  auto refused = CpsServer::create(cps_config_, clock_.get());
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("chmod 600"), std::string::npos)
      << refused.error().message;
}

}  // namespace
}  // namespace keydir::testing
