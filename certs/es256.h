#pragma once
// ECDSA P-256 with SHA-256: DER signatures (TLS, delegated credentials) and
// the raw r||s form of JOSE ES256 (RFC 7518 section 3.4).

#include <string>
#include <string_view>

#include "certs/error.h"
#include "certs/openssl_ptr.h"

namespace keydir {

// kUnsupportedKey unless `key` is a P-256 private key.
Result<std::string> signDer(EVP_PKEY* key, std::string_view data);
// kBadSignature if the signature does not verify (or does not parse).
Result<void> verifyDer(EVP_PKEY* key, std::string_view data, std::string_view signature);

Result<std::string> signRaw(EVP_PKEY* key, std::string_view data);
// `signature` must be exactly 64 bytes, r||s.
Result<void> verifyRaw(EVP_PKEY* key, std::string_view data, std::string_view signature);

}  // namespace keydir
