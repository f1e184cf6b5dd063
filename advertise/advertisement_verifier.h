#pragma once
// Verifies a CPS advertisement (docs/design.md section 5) as a directory or a
// caller must before believing it: the JWS is ES256 with typ "cps-ad", the
// x5c chain is valid now (docs/design.md section 3), the leaf's key signed it, it has
// not expired, and the leaf's TNAuthList encompasses every advertised scope
// (SPC scopes through the SPC map).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "advertise/advertisement.h"
#include "certs/chain_validator.h"

namespace keydir {

struct AdvertisementPolicy {
  AdvertisementLimits limits;
  std::size_t max_chain_length = 5;
  // How far ahead of our clock an iat may be before it is refused.
  std::chrono::seconds max_clock_skew{300};
};

struct VerifiedAdvertisement {
  std::string id;   // base64url(SHA-256(JWS bytes)), unpadded
  std::string jws;  // as received
  std::vector<CpsEntry> entries;
  Instant iat;
  std::optional<Instant> exp;  // as signed
  Instant expires;             // exp or the chain's first notAfter, the sooner
  std::string signer;          // SHA-256 hex of the leaf's public key
  ValidatedChain chain;
  std::vector<std::string> x5c_der;  // the chain as presented, DER, leaf first
};

std::string advertisementId(std::string_view jws);

// Errors: kPayloadTooLarge past limits.max_bytes; kMalformed for the JWS
// structure, typ, iat, exp or payload (scopes, https URIs without userinfo,
// at most limits.max_pairs pairs); kBadSignature for an alg other than ES256
// or a signature the leaf's key did not make; kExpired for an exp in the
// past; those of validateChain(); kNotAuthorized for a scope outside the
// signer's authority.
Result<VerifiedAdvertisement> verifyAdvertisement(std::string_view jws, const TrustStore& trust,
                                                  Instant now, const SpcMap* spc_map,
                                                  const AdvertisementPolicy& policy = {});

}  // namespace keydir
