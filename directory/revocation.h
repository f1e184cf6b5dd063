#pragma once
// A key's revocation (docs/design.md section 6): a compact ES256 JWS with x5c over
// {"sub": key id, "iat", "jti"}, by a chain whose authority covers the key.
// The directory checks it when it accepts one; a follower checks the proof
// the feed carries the same way, so a lying directory cannot drop a key.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "certs/chain_validator.h"
#include "certs/instant.h"
#include "certs/spc_map.h"
#include "certs/trust_store.h"

namespace keydir {

struct RevocationClaim {
  std::string sub;  // the key id
  std::int64_t iat = 0;
  std::string jti;
  ValidatedChain chain;
};

// Verifies the JWS and its chain at `at` and reads the payload.
// Errors: those of verifyJws(), kMalformed for the payload.
Result<RevocationClaim> verifyRevocation(std::string_view jws, const TrustStore& trust, Instant at,
                                         const SpcMap* spc_map, std::size_t max_chain_length);

// The iat the JWS claims, unverified: a follower verifies the chain as of
// the moment the revocation was made.
Result<Instant> claimedRevocationTime(std::string_view jws);

// kNotAuthorized unless the revoking chain's authority covers every scope
// of the key.
Result<void> checkRevocationCovers(const RevocationClaim& claim,
                                   const std::vector<TnScope>& key_scopes, const SpcMap* spc_map);

}  // namespace keydir
