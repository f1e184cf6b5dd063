#include "certs/credential_verifier.h"

#include <gtest/gtest.h>

#include "certs/es256.h"
#include "certs/pem.h"
#include "tests/support/expect_error.h"
#include "tests/support/test_pki.h"

namespace keydir {
namespace {

using std::chrono::hours;
using testing::expectError;
using testing::TestPki;

class CredentialTest : public testing::SharedPkiTest {
 protected:
  static DelegatedCredential make(KeyType type, hours valid_for = hours(24),
                                  const testing::Identity& signer = pki_->acme) {
    EvpPkeyPtr key = generateKey(type);
    return signCredential(signer.chain[0].get(), signer.key.get(), key.get(),
                          pki_->now() + valid_for)
        .value();
  }
  static Result<VerifiedCredential> verify(std::string_view bytes,
                                           const std::vector<X509Ptr>& chain = pki_->acme.chain,
                                           Instant at = pki_->now()) {
    return verifyCredential(bytes, chain, pki_->trust(), at, &pki_->spcMap());
  }
};

TEST_F(CredentialTest, X25519RoundTrips) {
  DelegatedCredential credential = make(KeyType::kX25519);
  std::string bytes = credential.serialize();
  auto parsed = DelegatedCredential::parse(bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->serialize(), bytes);
  EXPECT_EQ(parsed->key_algorithm, kCodePointX25519);
  auto verified = verify(bytes);
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(verified->key_type, KeyType::kX25519);
  EXPECT_EQ(verified->id, credentialKeyId(bytes));
  EXPECT_EQ(verified->id.size(), 43u);  // 32 bytes, unpadded base64url
  EXPECT_EQ(scopeStrings(verified->chain.authority), std::vector<std::string>{"1-12025550100-100"});
  EXPECT_EQ(verified->expires, pki_->now() + hours(24));
  EXPECT_EQ(publicJwk(verified->public_key.get())["kty"], "OKP");
}

TEST_F(CredentialTest, P256RoundTrips) {
  std::string bytes = make(KeyType::kP256).serialize();
  auto verified = verify(bytes);
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(verified->key_type, KeyType::kP256);
  auto jwk = publicJwk(verified->public_key.get());
  EXPECT_EQ(jwk["crv"], "P-256");
  EXPECT_EQ(jwk["y"].get<std::string>().size(), 43u);
}

TEST_F(CredentialTest, AlteredSignatureIsBadSignature) {
  DelegatedCredential credential = make(KeyType::kX25519);
  credential.signature[credential.signature.size() / 2] ^= 0x01;
  expectError(verify(credential.serialize()), ErrorCode::kBadSignature, "not signed by");
}

TEST_F(CredentialTest, AlteredKeyOrLifetimeIsBadSignature) {
  DelegatedCredential credential = make(KeyType::kX25519);
  credential.valid_time += 60;
  expectError(verify(credential.serialize()), ErrorCode::kBadSignature, "not signed by");
}

TEST_F(CredentialTest, SignedByAnotherLeafIsBadSignature) {
  // Signed by the carrier, presented with acme's chain.
  EvpPkeyPtr key = generateKey(KeyType::kX25519);
  auto credential = signCredential(pki_->acme.chain[0].get(), pki_->carrier.key.get(), key.get(),
                                   pki_->now() + hours(1));
  ASSERT_TRUE(credential);
  expectError(verify(credential->serialize()), ErrorCode::kBadSignature, "not signed by");
  // And a genuine acme credential presented with the carrier's chain.
  expectError(verify(make(KeyType::kX25519).serialize(), pki_->carrier.chain),
              ErrorCode::kBadSignature, "not signed by");
}

TEST_F(CredentialTest, ExpiredIsExpired) {
  std::string bytes = make(KeyType::kX25519, hours(2)).serialize();
  EXPECT_TRUE(verify(bytes, pki_->acme.chain, pki_->now() + hours(1)));
  expectError(verify(bytes, pki_->acme.chain, pki_->now() + hours(2)), ErrorCode::kExpired,
              "expired at");
}

TEST_F(CredentialTest, LongerThanSevenDaysIsValidityTooLong) {
  EXPECT_TRUE(verify(make(KeyType::kX25519, hours(24 * 7)).serialize()));
  expectError(verify(make(KeyType::kX25519, hours(24 * 7 + 1)).serialize()),
              ErrorCode::kValidityTooLong, "more than 604800 seconds ahead");
  // A client reading a stored record later need not apply the registration limit.
  auto relaxed =
      verifyCredential(make(KeyType::kX25519, hours(24 * 8)).serialize(), pki_->acme.chain,
                       pki_->trust(), pki_->now(), &pki_->spcMap(), {.check_max_validity = false});
  EXPECT_TRUE(relaxed);
}

TEST_F(CredentialTest, BeyondCertificateNotAfterIsValidityTooLong) {
  expectError(verify(make(KeyType::kX25519, hours(24 * 400)).serialize()),
              ErrorCode::kValidityTooLong, "after its certificate's notAfter");
}

TEST_F(CredentialTest, UnsupportedKeyTypeIsUnsupportedKey) {
  DelegatedCredential credential = make(KeyType::kX25519);
  EvpPkeyPtr ed25519(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  credential.spki = spkiDer(ed25519.get());
  expectError(verify(credential.serialize()), ErrorCode::kUnsupportedKey, "ED25519");
  EvpPkeyPtr p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  credential.key_algorithm = kCodePointP256;
  credential.spki = spkiDer(p384.get());
  expectError(verify(credential.serialize()), ErrorCode::kUnsupportedKey, "secp384r1");
}

TEST_F(CredentialTest, UnknownCodePointIsUnsupportedKey) {
  DelegatedCredential credential = make(KeyType::kX25519);
  credential.key_algorithm = 0xFE03;
  expectError(verify(credential.serialize()), ErrorCode::kUnsupportedKey, "0xFE03");
}

TEST_F(CredentialTest, CodePointNotMatchingKeyIsUnsupportedKey) {
  DelegatedCredential credential = make(KeyType::kX25519);
  credential.key_algorithm = kCodePointP256;
  expectError(verify(credential.serialize()), ErrorCode::kUnsupportedKey,
              "declares P-256 (0xFE02) but its key is X25519");
}

TEST_F(CredentialTest, OtherSignatureAlgorithmIsUnsupportedKey) {
  DelegatedCredential credential = make(KeyType::kX25519);
  credential.signature_algorithm = 0x0804;  // rsa_pss_rsae_sha256
  expectError(verify(credential.serialize()), ErrorCode::kUnsupportedKey, "0x0804");
}

TEST_F(CredentialTest, EveryTruncationIsMalformedAndNeverCrashes) {
  std::string bytes = make(KeyType::kP256).serialize();
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    auto result = verify(std::string_view(bytes).substr(0, length));
    ASSERT_FALSE(result) << length;
    EXPECT_EQ(result.error().code, ErrorCode::kMalformed)
        << length << ": " << result.error().message;
  }
  expectError(verify(bytes + "x"), ErrorCode::kMalformed, "bytes after its signature");
}

TEST_F(CredentialTest, GarbledSpkiIsMalformed) {
  DelegatedCredential credential = make(KeyType::kX25519);
  credential.spki = "\x30\x03\x02\x01\x01";
  expectError(verify(credential.serialize()), ErrorCode::kMalformed, "SubjectPublicKeyInfo");
}

TEST_F(CredentialTest, LeafWithoutDelegationUsageIsNotAuthorized) {
  std::string bytes = make(KeyType::kX25519, hours(1), pki_->direct).serialize();
  expectError(verify(bytes, pki_->direct.chain), ErrorCode::kNotAuthorized, "DelegationUsage");
  auto allowed = verifyCredential(bytes, pki_->direct.chain, pki_->trust(), pki_->now(),
                                  &pki_->spcMap(), {.require_delegation_usage = false});
  EXPECT_TRUE(allowed) << allowed.error().message;
}

TEST_F(CredentialTest, SignedDataFollowsTheStirContext) {
  DelegatedCredential credential = make(KeyType::kX25519);
  std::string data = credentialSignedData(pki_->acme.chain[0].get(), credential);
  EXPECT_EQ(data.substr(0, 64), std::string(64, ' '));
  EXPECT_EQ(data.substr(64, kCredentialContext.size()), kCredentialContext);
  EXPECT_EQ(data[64 + kCredentialContext.size()], '\0');
  EXPECT_EQ(data.substr(data.size() - 2), std::string("\x04\x03", 2));
  EvpPkeyPtr leaf_key(X509_get_pubkey(pki_->acme.chain[0].get()));
  EXPECT_TRUE(verifyDer(leaf_key.get(), data, credential.signature));
}

}  // namespace
}  // namespace keydir
