// Whether checking a carrier's JWT waits for nothing (cps/bearer_jwt.h),
// which decides where a CPS serves a token request: a chain in x5c or at
// an x5u validated lately is at hand; an x5u not yet fetched is not. The
// fetch here is a function handing out the test PKI's chain and counting
// its calls; fetching over https is tried with a real server in
// industry_interface_test.cc.

#include "cps/bearer_jwt.h"

#include <gtest/gtest.h>

#include "certs/base64.h"
#include "certs/jws.h"
#include "certs/pem.h"
#include "tests/support/test_pki.h"

namespace keydir::testing {
namespace {

class BearerJwtTest : public SharedPkiTest {
 protected:
  BearerJwtTest()
      : chains_(
            [this](const std::string&) -> Result<std::vector<X509Ptr>> {
              ++fetches_;
              std::vector<X509Ptr> copy;
              for (const X509Ptr& certificate : pki_->carrier.chain) {
                copy.emplace_back(X509_dup(certificate.get()));
              }
              return copy;
            },
            std::chrono::seconds(60)),
        validated_(std::chrono::seconds(60)) {
    rules_.trust = &pki_->trust();
    rules_.chains = &chains_;
    rules_.validated = &validated_;
    rules_.spc_map = &pki_->spcMap();
    rules_.audience = "cps.test";
  }

  // "Bearer " and a token request's JWT, its chain named by `header`.
  std::string bearer(const nlohmann::json& header, const std::vector<X509Ptr>& x5c = {}) {
    const nlohmann::json claims = {{"iat", unixTime(pki_->now())},
                                   {"jti", freshJti()},
                                   {"aud", "cps.test"},
                                   {"action", "token"},
                                   {"req", base64UrlEncode(sha256("body"))}};
    return "Bearer " + signJws(header, claims.dump(), pki_->carrier.key.get(), x5c).value();
  }
  BearerRequest tokenRequest() {
    BearerRequest request;
    request.action = "token";
    request.body_digest = base64UrlEncode(sha256("body"));
    return request;
  }

  int fetches_ = 0;
  ChainCache chains_;
  ValidatedChains validated_;
  BearerRules rules_;
};

TEST_F(BearerJwtTest, AnX5uIsAtHandOnceItsChainWasValidatedAndNotBefore) {
  const std::string first = bearer({{"x5u", "https://carrier.test/chain.pem"}});
  EXPECT_FALSE(bearerWaitsForNothing(first, rules_, pki_->now())) << "its chain is fetched first";
  EXPECT_EQ(fetches_, 0) << "asking fetches nothing";
  auto verified = verifyBearer(first, tokenRequest(), rules_, pki_->now());
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(fetches_, 1);
  const std::string second = bearer({{"x5u", "https://carrier.test/chain.pem"}});
  EXPECT_TRUE(bearerWaitsForNothing(second, rules_, pki_->now()));
  EXPECT_FALSE(bearerWaitsForNothing(second, rules_, pki_->now() + std::chrono::seconds(61)))
      << "validated too long ago";
  EXPECT_FALSE(bearerWaitsForNothing(bearer({{"x5u", "https://other.test/chain.pem"}}), rules_,
                                     pki_->now()));
  ASSERT_TRUE(verifyBearer(second, tokenRequest(), rules_, pki_->now()));
  EXPECT_EQ(fetches_, 1) << "the validated chain was used";
}

TEST_F(BearerJwtTest, AnX5cOrWhatIsRefusedBeforeAnyFetchIsAtHand) {
  EXPECT_TRUE(bearerWaitsForNothing(bearer({}, pki_->carrier.chain), rules_, pki_->now()));
  EXPECT_TRUE(bearerWaitsForNothing(bearer({}), rules_, pki_->now())) << "neither x5c nor x5u";
  EXPECT_TRUE(bearerWaitsForNothing("", rules_, pki_->now()));
  EXPECT_TRUE(bearerWaitsForNothing("Basic dXNlcjpwYXNz", rules_, pki_->now()));
  EXPECT_TRUE(bearerWaitsForNothing("Bearer not.a.jwt", rules_, pki_->now()));
  EXPECT_EQ(fetches_, 0);
}

// The header is read without parsing only when it can name no x5u: one
// that spells the member with an escape is parsed, and waits for its fetch.
TEST_F(BearerJwtTest, AnX5uSpelledWithAnEscapeIsNotTakenForAtHand) {
  const std::string header = R"({"alg":"ES256","x5\u0075":"https://carrier.test/chain.pem"})";
  const std::string jwt = base64UrlEncode(header) + "." + base64UrlEncode(std::string("{}")) + "." +
                          base64UrlEncode(std::string(64, '\x01'));
  EXPECT_FALSE(bearerWaitsForNothing("Bearer " + jwt, rules_, pki_->now()));
  EXPECT_EQ(fetches_, 0);
}

}  // namespace
}  // namespace keydir::testing
