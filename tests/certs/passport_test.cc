#include "certs/passport.h"

#include <gtest/gtest.h>

#include "certs/base64.h"
#include "certs/es256.h"
#include "certs/jws.h"
#include "tests/support/expect_error.h"
#include "tests/support/test_pki.h"

namespace keydir {
namespace {

using std::chrono::seconds;
using testing::expectError;

class PassportTest : public testing::SharedPkiTest {
 protected:
  static PassportClaims claims(std::string orig = "12025550150") {
    return {orig, {"13125550199"}, pki_->now(), "", ""};
  }
  static PassportCheck check(std::string orig = "12025550150") {
    PassportCheck check;
    check.orig = std::move(orig);
    check.now = pki_->now();
    check.trust = &pki_->trust();
    check.spc_map = &pki_->spcMap();
    return check;
  }
  static std::string signedBy(const testing::Identity& who, const PassportClaims& c) {
    return signPassport(c, who.key.get(), who.chain).value();
  }
  // Re-signs `header` and `payload` with acme's key, bypassing signPassport.
  static std::string forged(const nlohmann::json& header, const nlohmann::json& payload) {
    std::string input = base64UrlEncode(header.dump()) + "." + base64UrlEncode(payload.dump());
    return input + "." + base64UrlEncode(signRaw(pki_->acme.key.get(), input).value());
  }
};

TEST_F(PassportTest, SignsTheFullFormAndVerifiesEveryStep) {
  std::string passport = signedBy(pki_->acme, claims());
  VerifiedPassport verified = verifyPassport(passport, check()).value();
  EXPECT_EQ(verified.header["typ"], "passport");
  EXPECT_EQ(verified.header["alg"], "ES256");
  EXPECT_TRUE(verified.header.contains("x5c"));
  EXPECT_FALSE(verified.header.contains("ppt"));
  EXPECT_EQ(verified.claims["orig"], (nlohmann::json{{"tn", "12025550150"}}));
  EXPECT_EQ(verified.claims["dest"], (nlohmann::json{{"tn", {"13125550199"}}}))
      << "dest.tn is an array (RFC 8225 section 5.2.1)";
  EXPECT_EQ(verified.claims["iat"], pki_->now().time_since_epoch().count());
}

TEST_F(PassportTest, ShakenClaimsWithAnAttestationLevel) {
  PassportClaims c = claims("13125550100");
  c.attest = "A";
  VerifiedPassport verified =
      verifyPassport(signedBy(pki_->carrier, c), check("13125550100")).value();
  EXPECT_EQ(verified.header["ppt"], "shaken");
  EXPECT_EQ(verified.claims["attest"], "A");
  EXPECT_EQ(verified.claims["origid"].get<std::string>().size(), 36u) << "a UUID";
  c.attest = "D";
  expectError(signPassport(c, pki_->carrier.key.get(), pki_->carrier.chain), ErrorCode::kMalformed,
              "attest is A, B or C");
}

TEST_F(PassportTest, X5uIsFetchedAndItsChainChecked) {
  std::string passport =
      signPassport(claims(), pki_->acme.key.get(), pki_->acme.chain, "https://certs.example/acme")
          .value();
  nlohmann::json header = parseJws(passport).value().header;
  EXPECT_EQ(header["x5u"], "https://certs.example/acme");
  EXPECT_FALSE(header.contains("x5c"));
  std::string asked;
  PassportCheck with_fetch = check();
  with_fetch.fetch_chain = [&](const std::string& url) -> Result<std::vector<X509Ptr>> {
    asked = url;
    return copyChain(pki_->acme.chain);
  };
  EXPECT_TRUE(verifyPassport(passport, with_fetch));
  EXPECT_EQ(asked, "https://certs.example/acme");
  expectError(verifyPassport(passport, check()), ErrorCode::kUnavailable,
              "chain: the signer's chain is at x5u");
}

TEST_F(PassportTest, EachRefusalNamesItsStep) {
  std::string passport = signedBy(pki_->acme, claims());
  // ppt
  expectError(verifyPassport("not.a.jws.at.all", check()), ErrorCode::kMalformed, "ppt: ");
  nlohmann::json header = parseJws(passport).value().header;
  nlohmann::json payload = nlohmann::json::parse(parseJws(passport).value().payload);
  nlohmann::json other_typ = header;
  other_typ["typ"] = "JWT";
  expectError(verifyPassport(forged(other_typ, payload), check()), ErrorCode::kMalformed,
              "ppt: the header's typ is not \"passport\"");
  nlohmann::json div = header;
  div["ppt"] = "div";
  expectError(verifyPassport(forged(div, payload), check()), ErrorCode::kMalformed,
              "ppt: extension \"div\"");
  nlohmann::json none = header;
  none["alg"] = "none";
  expectError(verifyPassport(forged(none, payload), check()), ErrorCode::kBadSignature,
              "ppt: JWS alg \"none\" is refused");
  // orig
  expectError(verifyPassport(passport, check("12025550151")), ErrorCode::kNotAuthorized,
              "orig: the PASSporT is from 12025550150 but the call presents 12025550151");
  // chain: signed by acme for a number outside acme's 12025550100-199
  std::string outside = signedBy(pki_->acme, claims("12025550300"));
  expectError(verifyPassport(outside, check("12025550300")), ErrorCode::kNotAuthorized,
              "chain: the signer's TNAuthList (1-12025550100-100) does not hold 12025550300");
  // chain: an anchor the verifier does not trust
  TrustStore empty;
  PassportCheck untrusted = check();
  untrusted.trust = &empty;
  EXPECT_EQ(verifyPassport(passport, untrusted).error().message.rfind("chain: ", 0), 0u);
  // fresh
  PassportCheck later = check();
  later.now = pki_->now() + seconds(61);
  expectError(verifyPassport(passport, later), ErrorCode::kExpired,
              "fresh: iat is 61 s old; at most 60 s");
  PassportCheck earlier = check();
  earlier.now = pki_->now() - seconds(6);
  expectError(verifyPassport(passport, earlier), ErrorCode::kExpired,
              "fresh: iat is 6 s in the future");
  // signature: the claims changed after signing
  nlohmann::json other_dest = payload;
  other_dest["dest"]["tn"] = {"13125550100"};
  std::string tampered = passport.substr(0, passport.find('.') + 1) +
                         base64UrlEncode(other_dest.dump()) + passport.substr(passport.rfind('.'));
  expectError(verifyPassport(tampered, check()), ErrorCode::kBadSignature,
              "signature: the PASSporT does not verify");
}

}  // namespace
}  // namespace keydir
