#pragma once
// Makes a CPS advertisement (docs/design.md section 5): the draft's object signed as
// a compact ES256 JWS whose protected header carries typ "cps-ad", the
// signer's chain in x5c, iat and, optionally, exp.

#include <optional>
#include <string>
#include <vector>

#include "advertise/advertisement.h"
#include "certs/instant.h"
#include "certs/openssl_ptr.h"

namespace keydir {

struct AdvertisementContent {
  std::vector<CpsEntry> entries;
  Instant iat;
  // Clamped to the leaf's notAfter: nothing outlives the certificate that
  // vouches for it.
  std::optional<Instant> exp;
};

// `chain` is the signer's, leaf first; `key` is the leaf's private key.
// kMalformed for entries that break the object's rules or an exp not after
// iat; kBadSignature when `key` does not belong to the leaf.
Result<std::string> signAdvertisement(const AdvertisementContent& content, EVP_PKEY* key,
                                      const std::vector<X509Ptr>& chain);

}  // namespace keydir
