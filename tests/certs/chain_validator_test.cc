#include "certs/chain_validator.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include "certs/certificate_issuer.h"
#include "certs/key_pair.h"
#include "certs/pem.h"
#include "tests/support/expect_error.h"
#include "tests/support/test_pki.h"

namespace keydir {
namespace {

using testing::expectError;
using testing::issueRequest;
using testing::TestPki;

class ChainValidatorTest : public testing::SharedPkiTest {
 protected:
  Result<ValidatedChain> validate(const std::vector<X509Ptr>& chain, ChainPolicy policy = {}) {
    return validateChain(chain, pki_->trust(), pki_->now(), &pki_->spcMap(), policy);
  }
};

TEST_F(ChainValidatorTest, ThreeDeepDelegateChainNamesTheLeafAuthority) {
  auto validated = validate(pki_->acme.chain, {.require_delegation_usage = true});
  ASSERT_TRUE(validated) << validated.error().message;
  EXPECT_EQ(scopeStrings(validated->authority), std::vector<std::string>{"1-12025550100-100"});
  EXPECT_EQ(validated->certificates.size(), 5u);  // acme, reseller, carrier, intermediate, root
}

TEST_F(ChainValidatorTest, ServiceProviderAuthorityIncludesItsSpc) {
  auto validated = validate(pki_->carrier.chain);
  ASSERT_TRUE(validated) << validated.error().message;
  EXPECT_EQ(scopeStrings(validated->authority),
            (std::vector<std::string>{"0-1234", "1-13125550000-10000"}));
}

TEST_F(ChainValidatorTest, DelegateClaimingMoreThanItsParentIsUntrusted) {
  auto request =
      issueRequest("greedy", CertificateKind::kEnterprise, "reseller", {"1-12025550900-200"});
  request.allow_overreach = true;
  auto greedy = pki_->issue(request);
  expectError(validate(greedy.chain), ErrorCode::kUntrustedChain, "not encompassed");
}

TEST_F(ChainValidatorTest, DelegateUnderSpcNeedsTheSpcMap) {
  // The reseller's range lies in SPC 1234 only through the map.
  auto without_map = validateChain(pki_->reseller.chain, pki_->trust(), pki_->now(), nullptr);
  expectError(without_map, ErrorCode::kUntrustedChain, "not encompassed");
  EXPECT_TRUE(validate(pki_->reseller.chain));
}

TEST_F(ChainValidatorTest, ChainFromAnotherRootIsUntrusted) {
  TestPki other;
  expectError(validate(other.acme.chain), ErrorCode::kUntrustedChain,
              "unable to get local issuer certificate");
}

TEST_F(ChainValidatorTest, IncompleteChainIsUntrusted) {
  std::vector<X509Ptr> leaf_only;
  leaf_only.push_back(std::move(copyChain(pki_->acme.chain).front()));
  expectError(validate(leaf_only), ErrorCode::kUntrustedChain, "unable to get local issuer");
}

TEST_F(ChainValidatorTest, CertificateOutsideItsValidityIsExpired) {
  auto after = validateChain(pki_->acme.chain, pki_->trust(),
                             pki_->now() + std::chrono::hours(24 * 400), &pki_->spcMap());
  expectError(after, ErrorCode::kExpired, "certificate has expired");
  auto before = validateChain(pki_->acme.chain, pki_->trust(), pki_->now() - std::chrono::hours(2),
                              &pki_->spcMap());
  expectError(before, ErrorCode::kExpired, "not yet valid");
}

TEST_F(ChainValidatorTest, LeafWithoutTnAuthListIsUntrusted) {
  CertificateRequest request;
  request.common_name = "no tnauthlist";
  request.not_before = pki_->now() - std::chrono::hours(1);
  request.not_after = pki_->now() + std::chrono::hours(24);
  auto chain = testing::chainUnderIntermediate(*pki_, request);
  expectError(validate(chain), ErrorCode::kUntrustedChain, "carries no TNAuthList");
}

TEST_F(ChainValidatorTest, LeafWithoutDigitalSignatureIsUntrusted) {
  CertificateRequest request;
  request.common_name = "signs nothing";
  request.is_ca = true;  // keyCertSign and cRLSign only
  request.tn_auth_list = parseScopes({"2-14155550199"}).value();
  request.not_before = pki_->now() - std::chrono::hours(1);
  request.not_after = pki_->now() + std::chrono::hours(24);
  auto chain = testing::chainUnderIntermediate(*pki_, request);
  expectError(validate(chain), ErrorCode::kUntrustedChain, "digitalSignature");
}

TEST_F(ChainValidatorTest, DelegationUsageIsRequiredOnlyWhenAsked) {
  EXPECT_TRUE(validate(pki_->direct.chain));
  expectError(validate(pki_->direct.chain, {.require_delegation_usage = true}),
              ErrorCode::kNotAuthorized, "DelegationUsage");
}

TEST_F(ChainValidatorTest, EmptyAndOverlongChainsAreMalformed) {
  expectError(validate({}), ErrorCode::kMalformed, "empty");
  expectError(validate(pki_->acme.chain, {.max_chain_length = 2}), ErrorCode::kMalformed,
              "at most 2");
}

TEST_F(ChainValidatorTest, RevokedCertificateInvalidatesWhatItSigned) {
  auto reseller = pki_->load("reseller");
  auto carrier = pki_->load("carrier");
  // The carrier revokes the reseller: acme, signed by the reseller, falls too.
  auto crl = issueCrl(carrier.chain[0].get(), carrier.key.get(), {reseller.chain[0].get()},
                      pki_->now() - std::chrono::minutes(5), std::chrono::hours(24));
  ASSERT_TRUE(crl);
  auto trust = TrustStore::fromPem(readFile(pki_->directory().trustFile()).value(),
                                   {testing::crlPem(crl->get())});
  ASSERT_TRUE(trust) << trust.error().message;
  auto revoked = validateChain(pki_->acme.chain, *trust, pki_->now(), &pki_->spcMap());
  expectError(revoked, ErrorCode::kUntrustedChain, "revoked");
  // Chains the CRL does not touch still validate, though their issuers published no CRL.
  EXPECT_TRUE(validateChain(pki_->direct.chain, *trust, pki_->now(), &pki_->spcMap()));
  EXPECT_TRUE(validateChain(pki_->carrier.chain, *trust, pki_->now(), &pki_->spcMap()));
}

TEST(TrustStore, RefusesInputWithoutCertificatesOrCrls) {
  EXPECT_EQ(TrustStore::fromPem("not a pem").error().code, ErrorCode::kMalformed);
  testing::TempDir dir;
  EXPECT_EQ(TrustStore::load(dir / "missing.pem").error().code, ErrorCode::kNotFound);
  TestPki pki;
  auto anchors = readFile(pki.directory().trustFile()).value();
  auto bad_crl = TrustStore::fromPem(anchors, {"garbage"});
  ASSERT_FALSE(bad_crl);
  EXPECT_NE(bad_crl.error().message.find("CRL input 1"), std::string::npos);
}

}  // namespace
}  // namespace keydir
