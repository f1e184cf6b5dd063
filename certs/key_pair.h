#pragma once
// The two key types keydir handles: X25519 (encryption only) and P-256
// (ES256 signatures and ECDH). Generation, SubjectPublicKeyInfo, and public
// JWKs (RFC 8037 for OKP, RFC 7518 section 6.2 for EC).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "certs/error.h"
#include "certs/openssl_ptr.h"

namespace keydir {

enum class KeyType { kX25519, kP256 };

std::string_view keyTypeName(KeyType type);               // "X25519" or "P-256"
Result<KeyType> parseKeyTypeName(std::string_view name);  // accepts x25519/p256 too

EvpPkeyPtr generateKey(KeyType type);

// The key's type, or kUnsupportedKey naming what it is instead.
Result<KeyType> keyTypeOf(const EVP_PKEY* key);

// DER SubjectPublicKeyInfo of the public half.
std::string spkiDer(const EVP_PKEY* key);
// Parses a SubjectPublicKeyInfo; kMalformed if it does not parse or has
// trailing bytes, kUnsupportedKey if it is neither X25519 nor P-256.
Result<EvpPkeyPtr> publicKeyFromSpki(std::string_view der);

// A key pair whose private half comes from 32 bytes of `seed` (for X25519
// the bytes themselves, RFC 7748 section 5; for P-256 the seed read as a
// number and brought into [1, n-1]). For keys that must be the same each
// time they are made from one secret, such as a CPS's dummy entries.
// kMalformed when `seed` is not 32 bytes.
Result<EvpPkeyPtr> keyFromSeed(KeyType type, std::string_view seed);

nlohmann::json publicJwk(const EVP_PKEY* key);

// The type of a public JWK, from its members alone: OKP X25519 with a
// 32-byte "x", or EC P-256 with 32-byte "x" and "y". Nothing is checked on
// the curve (keyFromJwk does that): for those who keep a JWK, not use it.
// kMalformed or kUnsupportedKey as keyFromJwk.
Result<KeyType> jwkKeyType(const nlohmann::json& jwk);
// The same from the members that decide it, as one who reads a JWK without
// a JSON tree has them: each a string, or nullopt when absent or not one.
struct JwkMembers {
  std::optional<std::string> kty, crv, x, y;
};
Result<KeyType> jwkKeyType(const JwkMembers& jwk);

// A key from its JWK: OKP X25519 (RFC 8037 section 2) or EC P-256 (RFC 7518
// section 6.2), private when "d" is present. kMalformed for a JWK that
// does not parse or whose point is not on the curve (an epk off the curve
// would leak bits of the recipient's key), kUnsupportedKey for other types.
Result<EvpPkeyPtr> keyFromJwk(const nlohmann::json& jwk);

}  // namespace keydir
