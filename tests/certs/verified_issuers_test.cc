// Leaves under issuers already verified take the short check
// (certs/verified_issuers.h); these tests hold it to the answers and errors
// of full validation.

#include "certs/verified_issuers.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include "certs/certificate_issuer.h"
#include "certs/chain_validator.h"
#include "certs/key_pair.h"
#include "certs/pem.h"
#include "tests/support/expect_error.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace keydir {
namespace {

using testing::expectError;

class VerifiedIssuersTest : public testing::SharedPkiTest {
 protected:
  // A store of its own, so that no other test has filled its cache.
  static TrustStore freshTrust(const std::vector<std::string>& crls = {}) {
    return TrustStore::fromPem(readFile(pki_->directory().trustFile()).value(), crls).value();
  }

  static CertificateRequest leafRequest(const std::string& tn) {
    CertificateRequest request;
    request.common_name = "leaf " + tn;
    request.tn_auth_list = parseScopes({"2-" + tn}).value();
    request.delegation_usage = true;
    request.not_before = pki_->now() - std::chrono::hours(1);
    request.not_after = pki_->now() + std::chrono::hours(24);
    return request;
  }

  static Result<ValidatedChain> validate(const std::vector<X509Ptr>& chain,
                                         const TrustStore& trust) {
    return validateChain(chain, trust, pki_->now(), &pki_->spcMap());
  }
};

TEST_F(VerifiedIssuersTest, SecondLeafUnderTheSameIssuersGetsTheSamePath) {
  TrustStore trust = freshTrust();
  auto first = testing::chainUnderIntermediate(*pki_, leafRequest("14155550101"));
  auto second = testing::chainUnderIntermediate(*pki_, leafRequest("14155550102"));
  EXPECT_FALSE(trust.verifiedIssuers().find(second, pki_->now()));

  ASSERT_TRUE(validate(first, trust));
  ASSERT_TRUE(trust.verifiedIssuers().find(second, pki_->now()));
  auto validated = validate(second, trust);
  ASSERT_TRUE(validated) << validated.error().message;
  ASSERT_EQ(validated->certificates.size(), 3u);  // leaf, intermediate, root
  EXPECT_EQ(X509_cmp(validated->leaf(), second[0].get()), 0);
  EXPECT_EQ(X509_cmp(validated->certificates[1].get(), second[1].get()), 0);
  ASSERT_EQ(validated->authority.size(), 1u);
  EXPECT_EQ(validated->authority[0].toString(), "2-14155550102");
}

TEST_F(VerifiedIssuersTest, PathIsOfferedOnlyWithinEveryIssuersValidity) {
  TrustStore trust = freshTrust();
  auto chain = testing::chainUnderIntermediate(*pki_, leafRequest("14155550103"));
  ASSERT_TRUE(validate(chain, trust));
  Instant issuer_from = fromAsn1Time(X509_get0_notBefore(chain[1].get()));
  Instant issuer_until = fromAsn1Time(X509_get0_notAfter(chain[1].get()));
  EXPECT_TRUE(trust.verifiedIssuers().find(chain, pki_->now()));
  EXPECT_TRUE(trust.verifiedIssuers().find(chain, issuer_until - std::chrono::seconds(1)));
  EXPECT_FALSE(trust.verifiedIssuers().find(chain, issuer_until));
  EXPECT_FALSE(trust.verifiedIssuers().find(chain, issuer_from - std::chrono::seconds(1)));
  expectError(validateChain(chain, trust, issuer_until + std::chrono::hours(1), &pki_->spcMap()),
              ErrorCode::kExpired, "certificate has expired");
}

TEST_F(VerifiedIssuersTest, LeafNotSignedByTheIssuerFailsAsInFullValidation) {
  auto intermediate = pki_->load("intermediate");
  EvpPkeyPtr impostor_key = generateKey(KeyType::kP256);
  EvpPkeyPtr leaf_key = generateKey(KeyType::kP256);
  std::vector<X509Ptr> forged;
  // Names the intermediate as issuer, but another key signed it.
  forged.push_back(issueCertificate(leafRequest("14155550104"), leaf_key.get(),
                                    intermediate.chain[0].get(), impostor_key.get())
                       .value());
  forged.push_back(std::move(intermediate.chain[0]));

  auto without_cache = validate(forged, freshTrust());
  ASSERT_FALSE(without_cache);

  TrustStore trust = freshTrust();
  ASSERT_TRUE(validate(testing::chainUnderIntermediate(*pki_, leafRequest("14155550105")), trust));
  ASSERT_TRUE(trust.verifiedIssuers().find(forged, pki_->now()));
  auto with_cache = validate(forged, trust);
  expectError(with_cache, without_cache.error().code, "signature failure");
  EXPECT_EQ(with_cache.error().message, without_cache.error().message);
}

TEST_F(VerifiedIssuersTest, ExpiredLeafUnderVerifiedIssuersIsExpired) {
  TrustStore trust = freshTrust();
  ASSERT_TRUE(validate(testing::chainUnderIntermediate(*pki_, leafRequest("14155550106")), trust));
  CertificateRequest lapsed = leafRequest("14155550107");
  lapsed.not_before = pki_->now() - std::chrono::hours(48);
  lapsed.not_after = pki_->now() - std::chrono::hours(24);
  auto chain = testing::chainUnderIntermediate(*pki_, lapsed);
  ASSERT_TRUE(trust.verifiedIssuers().find(chain, pki_->now()));
  expectError(validate(chain, trust), ErrorCode::kExpired, "certificate has expired");
}

TEST_F(VerifiedIssuersTest, LeafRevokedByItsIssuerIsRefusedUnderVerifiedIssuers) {
  auto intermediate = pki_->load("intermediate");
  auto kept = testing::chainUnderIntermediate(*pki_, leafRequest("14155550108"));
  auto revoked = testing::chainUnderIntermediate(*pki_, leafRequest("14155550109"));
  auto crl = issueCrl(intermediate.chain[0].get(), intermediate.key.get(), {revoked[0].get()},
                      pki_->now() - std::chrono::minutes(5), std::chrono::hours(24));
  ASSERT_TRUE(crl);
  TrustStore trust = freshTrust({testing::crlPem(crl->get())});

  ASSERT_TRUE(validate(kept, trust));
  ASSERT_TRUE(trust.verifiedIssuers().find(revoked, pki_->now()));
  expectError(validate(revoked, trust), ErrorCode::kUntrustedChain, "revoked");
  // After the CRL's nextUpdate the path is not offered: the full check decides.
  EXPECT_FALSE(trust.verifiedIssuers().find(kept, pki_->now() + std::chrono::hours(25)));
}

TEST_F(VerifiedIssuersTest, PathUnderNameConstraintsIsNotRemembered) {
  // root -> constrained CA (nameConstraints, made by the openssl command)
  //      -> plain CA -> leaf. A partial chain anchored at the plain CA
  // would not apply the constraints to the leaf, so the path must not be
  // shortened, though it validates in full.
  testing::TempDir dir;
  const auto root = pki_->directory().dir();
  const std::string d = dir.path().string();
  testing::writeText(dir / "constrained.ext",
                     "basicConstraints=critical,CA:TRUE\n"
                     "keyUsage=critical,keyCertSign,cRLSign\n"
                     "nameConstraints=critical,permitted;DNS:example.com\n");
  testing::writeText(dir / "plain.ext",
                     "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n");
  std::string output;
  auto openssl = [&](const std::string& arguments) {
    return testing::runCommand("openssl " + arguments, &output);
  };
  ASSERT_EQ(openssl("ecparam -name prime256v1 -genkey -noout -out " + d + "/constrained.key"), 0)
      << output;
  ASSERT_EQ(openssl("req -new -key " + d + "/constrained.key -subj /CN=constrained -out " + d +
                    "/constrained.csr"),
            0)
      << output;
  ASSERT_EQ(
      openssl("x509 -req -in " + d + "/constrained.csr -CA " + (root / "root.pem").string() +
              " -CAkey " + (root / "root.key").string() + " -set_serial 7001 -days 30 -extfile " +
              d + "/constrained.ext -out " + d + "/constrained.pem"),
      0)
      << output;
  ASSERT_EQ(openssl("ecparam -name prime256v1 -genkey -noout -out " + d + "/plain.key"), 0)
      << output;
  ASSERT_EQ(openssl("req -new -key " + d + "/plain.key -subj /CN=plain -out " + d + "/plain.csr"),
            0)
      << output;
  ASSERT_EQ(openssl("x509 -req -in " + d + "/plain.csr -CA " + d + "/constrained.pem -CAkey " + d +
                    "/constrained.key -set_serial 7002 -days 30 -extfile " + d +
                    "/plain.ext -out " + d + "/plain.pem"),
            0)
      << output;

  auto constrained = loadCertificates(dir / "constrained.pem").value();
  auto plain = loadCertificates(dir / "plain.pem").value();
  EvpPkeyPtr plain_key = loadPrivateKey(dir / "plain.key").value();
  EvpPkeyPtr leaf_key = generateKey(KeyType::kP256);
  std::vector<X509Ptr> chain;
  chain.push_back(
      issueCertificate(leafRequest("14155550110"), leaf_key.get(), plain[0].get(), plain_key.get())
          .value());
  chain.push_back(std::move(plain[0]));
  chain.push_back(std::move(constrained[0]));

  TrustStore trust = freshTrust();
  // openssl dated the two CAs from the real clock, which may have moved on
  // past the suite's PKI time by now.
  const Instant after_issue = nowInstant() + std::chrono::minutes(1);
  auto validated = validateChain(chain, trust, after_issue, &pki_->spcMap());
  ASSERT_TRUE(validated) << validated.error().message;
  EXPECT_EQ(validated->certificates.size(), 4u);
  EXPECT_FALSE(trust.verifiedIssuers().find(chain, after_issue));
}

}  // namespace
}  // namespace keydir
