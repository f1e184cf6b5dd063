#pragma once
// JWE compact serialization (RFC 7516 section 7.1) with one key management
// and one content encryption: `ECDH-ES`, direct key agreement with an
// ephemeral key (RFC 7518 section 4.6; X25519 per RFC 8037), and `A256GCM`
// (RFC 7518 section 5.3). This is how a caller encrypts a PASSporT to each
// key of the callee (RFC 8816 section 8.1). The encrypted key part is empty
// and the protected header carries `kid`, so a callee holding several keys
// knows which one a JWE needs.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "certs/error.h"
#include "certs/key_pair.h"
#include "certs/openssl_ptr.h"

namespace keydir {

// For tests: the randomness an encryption would draw. Real callers leave it
// out and get a fresh ephemeral key and IV per JWE.
struct JweFixedRandomness {
  const EVP_PKEY* ephemeral = nullptr;  // same type as the recipient's key
  std::string iv;                       // 12 bytes
};

// Encrypts `plaintext` to `recipient` (X25519 or P-256, public half used).
Result<std::string> encryptJwe(std::string_view plaintext, const EVP_PKEY* recipient,
                               std::string_view kid, const JweFixedRandomness* fixed = nullptr);

// The protected header keydir's JWEs carry, as sent: base64url of
// {"alg":"ECDH-ES","enc":"A256GCM","epk":<ephemeral's public JWK>,"kid":..}
// with its members in that order. A CPS's dummies use it too, so that they
// are shaped exactly as real ones.
std::string jweProtectedHeader(const EVP_PKEY* ephemeral, std::string_view kid);
// The compact serialization of a JWE with an empty encrypted key, its
// parts given decoded but for the protected header.
std::string compactJwe(std::string_view protected_b64, std::string_view iv,
                       std::string_view ciphertext, std::string_view tag);

struct DecryptedJwe {
  nlohmann::json header;
  std::string plaintext;
};

// The protected header alone, to pick a key by `kid` before decrypting.
// kMalformed unless the text is five base64url parts with a JSON header.
Result<nlohmann::json> jweHeader(std::string_view compact);

// What a JWE shows without its key, once it passed the checks every
// keydir JWE must: five parts, `alg` ECDH-ES and `enc` A256GCM (else
// kUnsupportedKey), no `crit` or `zip`, an empty encrypted key, a 12-byte
// IV, a 16-byte tag, and a public `epk` of X25519 or P-256 whose members
// have their sizes (else kMalformed). The epk's point is not checked on
// its curve here (that costs a scalar multiplication, and decryptJwe does
// it before any use): a CPS checks what it stores this way, and never
// uses the key.
struct JweEnvelope {
  std::string kid;  // "" when absent or not a string
  KeyType epk_type = KeyType::kP256;
  std::size_t ciphertext_bytes = 0;
};
Result<JweEnvelope> jweEnvelope(std::string_view compact);

// Decrypts with `recipient` (private). kMalformed for structure or header;
// kUnsupportedKey for another alg or enc, or an epk of another key type
// than the recipient's; kBadSignature when the tag does not authenticate:
// a JWE for another key, or one that was altered.
Result<DecryptedJwe> decryptJwe(std::string_view compact, EVP_PKEY* recipient);

// ECDH between `own` (private) and `peer` (public) of one type: Z.
Result<std::string> ecdhSecret(const EVP_PKEY* own, const EVP_PKEY* peer);

// The Concat KDF of NIST SP 800-56A as RFC 7518 section 4.6.2 uses it, with
// SHA-256: `key_bytes` of key from Z for the algorithm `algorithm_id` (the
// `enc` value for direct agreement), with PartyUInfo `apu` and PartyVInfo
// `apv` (decoded).
std::string concatKdf(std::string_view z, std::string_view algorithm_id, std::string_view apu,
                      std::string_view apv, std::size_t key_bytes);

}  // namespace keydir
