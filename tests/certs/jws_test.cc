#include "certs/jws.h"

#include <gtest/gtest.h>

#include "certs/base64.h"
#include "certs/es256.h"
#include "tests/support/expect_error.h"
#include "tests/support/test_pki.h"

namespace keydir {
namespace {

using testing::expectError;
using testing::TestPki;

class JwsTest : public testing::SharedPkiTest {
 protected:
  static std::string sign(std::string_view payload,
                          const testing::Identity& signer = pki_->carrier) {
    return signJws({{"typ", "cps-ad"}}, payload, signer.key.get(), signer.chain).value();
  }
  static Result<VerifiedJws> verify(std::string_view jws) {
    return verifyJws(jws, pki_->trust(), pki_->now(), &pki_->spcMap());
  }
  // Re-signs a modified header with `key` so only the header differs.
  static std::string withHeader(const nlohmann::json& header, std::string_view payload,
                                EVP_PKEY* key, bool raw_signature = true) {
    std::string input = base64UrlEncode(header.dump()) + "." + base64UrlEncode(payload);
    std::string signature =
        raw_signature ? signRaw(key, input).value() : signDer(key, input).value();
    return input + "." + base64UrlEncode(signature);
  }
};

TEST_F(JwsTest, SignsAndVerifiesWithX5c) {
  std::string jws = sign(R"({"0-1234":"https://cps.example.com"})");
  auto verified = verify(jws);
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(verified->jws.header["alg"], "ES256");
  EXPECT_EQ(verified->jws.header["typ"], "cps-ad");
  EXPECT_EQ(verified->jws.payload, R"({"0-1234":"https://cps.example.com"})");
  EXPECT_EQ(verified->jws.signature.size(), 64u);
  EXPECT_EQ(scopeStrings(verified->chain.authority),
            (std::vector<std::string>{"0-1234", "1-13125550000-10000"}));
}

TEST_F(JwsTest, AlgOtherThanEs256IsRefused) {
  for (const char* alg : {"none", "HS256", "ES384", "RS256"}) {
    nlohmann::json header = {{"alg", alg}, {"x5c", x5cStrings(pki_->carrier.chain)}};
    std::string jws =
        base64UrlEncode(header.dump()) + "." + base64UrlEncode(std::string("{}")) + ".";
    expectError(verify(jws), ErrorCode::kBadSignature, "only ES256");
  }
  nlohmann::json no_alg = {{"x5c", x5cStrings(pki_->carrier.chain)}};
  expectError(verify(withHeader(no_alg, "{}", pki_->carrier.key.get())), ErrorCode::kBadSignature,
              "missing");
}

TEST_F(JwsTest, SignatureByAnotherKeyIsBadSignature) {
  // acme signs, but the header carries the carrier's chain.
  nlohmann::json header = {{"alg", "ES256"}, {"x5c", x5cStrings(pki_->carrier.chain)}};
  expectError(verify(withHeader(header, "{}", pki_->acme.key.get())), ErrorCode::kBadSignature,
              "does not verify");
}

TEST_F(JwsTest, X5cNotMatchingTheSignerIsBadSignature) {
  std::string jws = sign("{}", pki_->carrier);
  auto parsed = parseJws(jws).value();
  parsed.header["x5c"] = x5cStrings(pki_->acme.chain);
  // Keep the carrier's signature over the original input, with acme's chain in front.
  std::string forged = base64UrlEncode(parsed.header.dump()) + "." +
                       base64UrlEncode(std::string("{}")) + "." + base64UrlEncode(parsed.signature);
  expectError(verify(forged), ErrorCode::kBadSignature, "does not verify");
}

TEST_F(JwsTest, TamperedPayloadIsBadSignature) {
  std::string jws = sign(R"({"0-1234":"https://cps.example.com"})");
  std::size_t first = jws.find('.'), second = jws.find('.', first + 1);
  std::string tampered = jws.substr(0, first + 1) +
                         base64UrlEncode(std::string(R"({"0-1234":"https://evil.example.com"})")) +
                         jws.substr(second);
  expectError(verify(tampered), ErrorCode::kBadSignature, "does not verify");
}

TEST_F(JwsTest, DerSignatureInsteadOfRawIsBadSignature) {
  nlohmann::json header = {{"alg", "ES256"}, {"x5c", x5cStrings(pki_->carrier.chain)}};
  expectError(verify(withHeader(header, "{}", pki_->carrier.key.get(), false)),
              ErrorCode::kBadSignature, "does not verify");
}

TEST_F(JwsTest, StructuralDamageIsMalformed) {
  std::string jws = sign("{}");
  expectError(verify("a.b"), ErrorCode::kMalformed, "three");
  expectError(verify(jws + ".x"), ErrorCode::kMalformed, "three");
  expectError(verify("!!." + jws.substr(jws.find('.') + 1)), ErrorCode::kMalformed, "JWS header");
  expectError(verify(base64UrlEncode(std::string("[1]")) + ".e30.AA"), ErrorCode::kMalformed,
              "JSON object");
  nlohmann::json no_x5c = {{"alg", "ES256"}};
  expectError(verify(withHeader(no_x5c, "{}", pki_->carrier.key.get())), ErrorCode::kMalformed,
              "x5c");
  nlohmann::json bad_x5c = {{"alg", "ES256"}, {"x5c", {"bm90IGEgY2VydA=="}}};
  expectError(verify(withHeader(bad_x5c, "{}", pki_->carrier.key.get())), ErrorCode::kMalformed,
              "x5c[0]");
}

TEST_F(JwsTest, UntrustedSignerIsUntrustedChain) {
  TestPki other;
  std::string jws = signJws({}, "{}", other.carrier.key.get(), other.carrier.chain).value();
  expectError(verify(jws), ErrorCode::kUntrustedChain, "rejected");
}

}  // namespace
}  // namespace keydir
