#pragma once
// Compact JWS with ES256 only (RFC 7515, RFC 7518 section 3.4), carrying the
// signer's chain in `x5c`. Used by CPS advertisements and revocations.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "certs/chain_validator.h"
#include "certs/error.h"
#include "certs/openssl_ptr.h"

namespace keydir {

struct ParsedJws {
  nlohmann::json header;      // protected header, parsed
  std::string payload;        // decoded payload bytes
  std::string signing_input;  // "<header b64u>.<payload b64u>"
  std::string signature;      // raw r||s
};

// Signs `payload` with a P-256 key. `header` gets alg ES256 and `x5c` from
// `chain` (leaf first) added; other members are kept.
Result<std::string> signJws(nlohmann::json header, std::string_view payload, EVP_PKEY* key,
                            const std::vector<X509Ptr>& chain);

// Splits and decodes a compact JWS. kMalformed for structure, encoding or
// header JSON; kBadSignature when `alg` is anything but ES256 (including
// "none" and HS256), since accepting it would let anyone forge one.
Result<ParsedJws> parseJws(std::string_view compact);

// A fresh `jti` (RFC 7519 section 4.1.7): 128 random bits, base64url.
std::string freshJti();

// The `x5c` chain of a parsed header, leaf first; kMalformed if missing.
Result<std::vector<X509Ptr>> jwsChain(const nlohmann::json& header);
std::vector<std::string> x5cStrings(const std::vector<X509Ptr>& chain);

struct VerifiedJws {
  ParsedJws jws;
  ValidatedChain chain;
};

// parseJws, then validateChain on `x5c` at `at`, then the signature with the
// leaf's key (kBadSignature when another key signed).
Result<VerifiedJws> verifyJws(std::string_view compact, const TrustStore& trust, Instant at,
                              const SpcMap* spc_map, const ChainPolicy& policy = {});

}  // namespace keydir
