// Chains validated lately (cps/validated_chains.h): offered again only
// within `keep`, and never outside the validity of a certificate on them.

#include "cps/validated_chains.h"

#include <gtest/gtest.h>

#include "tests/support/test_pki.h"

namespace keydir::testing {
namespace {

class ValidatedChainsTest : public SharedPkiTest {
 protected:
  std::shared_ptr<const ValidatedChain> carrierChain() {
    return std::make_shared<const ValidatedChain>(
        validateChain(pki_->carrier.chain, pki_->trust(), pki_->now(), nullptr).value());
  }
};

TEST_F(ValidatedChainsTest, AChainIsOfferedWithinKeepAndNotAfter) {
  ValidatedChains kept(std::chrono::seconds(60));
  const Instant now = pki_->now();
  auto chain = carrierChain();
  EXPECT_EQ(kept.find("x5c [..]", now), nullptr);
  kept.keep("x5c [..]", chain, now);
  EXPECT_EQ(kept.find("x5c [..]", now + std::chrono::seconds(59)), chain);
  EXPECT_EQ(kept.find("x5c [..]", now + std::chrono::seconds(60)), nullptr) << "keep passed";
  EXPECT_EQ(kept.find("x5c [..]", now - std::chrono::seconds(1)), nullptr) << "before it was";
  EXPECT_EQ(kept.find("x5u https://other", now), nullptr);
}

TEST_F(ValidatedChainsTest, NeverPastTheFirstCertificateToExpire) {
  ValidatedChains kept(std::chrono::hours(24 * 800));
  auto chain = carrierChain();
  Instant first_to_expire = Instant::max();
  for (const X509Ptr& certificate : chain->certificates) {
    first_to_expire =
        std::min(first_to_expire, fromAsn1Time(X509_get0_notAfter(certificate.get())));
  }
  kept.keep("x5c [..]", chain, pki_->now());
  EXPECT_EQ(kept.find("x5c [..]", first_to_expire - std::chrono::seconds(1)), chain);
  EXPECT_EQ(kept.find("x5c [..]", first_to_expire), nullptr);
}

}  // namespace
}  // namespace keydir::testing
