#include "certs/credential_verifier.h"

#include "certs/es256.h"
#include "certs/hex.h"

namespace keydir {
namespace {

Result<KeyType> keyTypeForCodePoint(std::uint16_t code_point) {
  if (code_point == kCodePointX25519) return KeyType::kX25519;
  if (code_point == kCodePointP256) return KeyType::kP256;
  return fail(ErrorCode::kUnsupportedKey,
              "key-agreement algorithm " + hexCode(code_point, 4) +
                  " is not supported; use 0xFE01 (X25519) or 0xFE02 (P-256 ECDH)");
}

}  // namespace

Result<VerifiedCredential> verifyCredential(std::string_view serialized,
                                            const std::vector<X509Ptr>& chain,
                                            const TrustStore& trust, Instant now,
                                            const SpcMap* spc_map, const CredentialPolicy& policy) {
  auto credential = DelegatedCredential::parse(serialized);
  if (!credential) return std::unexpected(credential.error());
  if (credential->signature_algorithm != kEcdsaSecp256r1Sha256) {
    return fail(ErrorCode::kUnsupportedKey,
                "signature algorithm " + hexCode(credential->signature_algorithm, 4) +
                    " is not supported; only 0x0403 ecdsa_secp256r1_sha256 is");
  }
  auto declared = keyTypeForCodePoint(credential->key_algorithm);
  if (!declared) return std::unexpected(declared.error());
  auto key = publicKeyFromSpki(credential->spki);
  if (!key) return failWithContext(key.error(), "credential key");
  KeyType actual = *keyTypeOf(key->get());
  if (actual != *declared) {
    return fail(ErrorCode::kUnsupportedKey,
                "credential declares " + std::string(keyTypeName(*declared)) + " (" +
                    hexCode(credential->key_algorithm, 4) + ") but its key is " +
                    std::string(keyTypeName(actual)));
  }

  ChainPolicy chain_policy{policy.max_chain_length, policy.require_delegation_usage};
  auto validated = validateChain(chain, trust, now, spc_map, chain_policy);
  if (!validated) return std::unexpected(validated.error());

  EvpPkeyPtr leaf_key(X509_get_pubkey(const_cast<X509*>(validated->leaf())));
  auto signed_ok = verifyDer(leaf_key.get(), credentialSignedData(validated->leaf(), *credential),
                             credential->signature);
  if (!signed_ok) {
    return fail(ErrorCode::kBadSignature,
                "delegated credential was not signed by the key of the leaf certificate given "
                "in x5c");
  }

  Instant expires = validated->leaf_not_before + std::chrono::seconds(credential->valid_time);
  if (expires <= now) {
    return fail(ErrorCode::kExpired, "delegated credential expired at " + rfc3339(expires));
  }
  if (expires > validated->leaf_not_after) {
    return fail(ErrorCode::kValidityTooLong, "delegated credential expires at " + rfc3339(expires) +
                                                 ", after its certificate's notAfter " +
                                                 rfc3339(validated->leaf_not_after));
  }
  if (policy.check_max_validity && expires - now > policy.max_validity) {
    return fail(ErrorCode::kValidityTooLong, "delegated credential expires at " + rfc3339(expires) +
                                                 ", more than " +
                                                 std::to_string(policy.max_validity.count()) +
                                                 " seconds ahead; issue one that expires sooner");
  }

  VerifiedCredential verified{std::move(*credential),
                              std::string(serialized),
                              credentialKeyId(serialized),
                              actual,
                              std::move(*key),
                              expires,
                              std::move(*validated)};
  return verified;
}

}  // namespace keydir
