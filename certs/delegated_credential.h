#pragma once
// A delegated credential holding an ECDH key (docs/design.md section 4): RFC 9345's
// wire format, signed by the STIR leaf key with a STIR-specific context.
//
//   struct { uint32 valid_time; uint16 dc_cert_verify_algorithm;
//            opaque ASN1_subjectPublicKeyInfo<1..2^24-1>; } Credential;
//   struct { Credential cred; uint16 algorithm;
//            opaque signature<1..2^16-1>; } DelegatedCredential;

#include <cstdint>
#include <string>
#include <string_view>

#include "certs/error.h"
#include "certs/instant.h"
#include "certs/key_pair.h"
#include "certs/openssl_ptr.h"

namespace keydir {

// Private-use key-agreement code points for dc_cert_verify_algorithm.
inline constexpr std::uint16_t kCodePointX25519 = 0xFE01;
inline constexpr std::uint16_t kCodePointP256 = 0xFE02;
// TLS SignatureScheme ecdsa_secp256r1_sha256, the only signature accepted.
inline constexpr std::uint16_t kEcdsaSecp256r1Sha256 = 0x0403;
inline constexpr std::string_view kCredentialContext = "STIR out-of-band, delegated encryption key";

std::uint16_t codePointFor(KeyType type);

struct DelegatedCredential {
  std::uint32_t valid_time = 0;  // seconds after the leaf's notBefore
  std::uint16_t key_algorithm = 0;
  std::string spki;  // DER SubjectPublicKeyInfo of the ECDH key
  std::uint16_t signature_algorithm = kEcdsaSecp256r1Sha256;
  std::string signature;  // DER ECDSA signature by the leaf key

  std::string serializeCredential() const;  // the Credential struct only
  std::string serialize() const;            // the whole DelegatedCredential

  // Parses the wire format. kMalformed names the field that is truncated or
  // empty, or trailing bytes.
  static Result<DelegatedCredential> parse(std::string_view bytes);
};

// The bytes the leaf signs: 64 spaces, the context, 0x00, the leaf's DER,
// the serialized Credential, the 2-byte signature algorithm.
std::string credentialSignedData(const X509* leaf, const DelegatedCredential& credential);

// Builds and signs a credential for `encryption_key` that expires at
// `expiry` (converted to valid_time from the leaf's notBefore). The leaf key
// must be P-256. kMalformed if expiry is before notBefore or too far.
Result<DelegatedCredential> signCredential(const X509* leaf, EVP_PKEY* leaf_key,
                                           const EVP_PKEY* encryption_key, Instant expiry);

// base64url(SHA-256(serialized DelegatedCredential)), unpadded.
std::string credentialKeyId(std::string_view serialized);

}  // namespace keydir
