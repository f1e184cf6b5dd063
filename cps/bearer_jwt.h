#pragma once
// The JWT a carrier signs to use a CPS (ATIS-1000096 style, as TransNexus's
// STI-CPS and draft-wendt-stir-vesper-oob take it; docs/design.md section 13): an
// ES256 JWS whose chain (`x5c`, or `x5u` over https) is a STIR certificate
// path to the CPS's anchors, with claims `iat` (within 60 s), `aud` (the
// CPS's name), `jti`, `action`, and for publish and retrieve `iss` and
// `spc` (an SPC of the certificate's TNAuthList), `orig` and `dest`; a
// publish adds `exp` (the retention, at most max_age_seconds ahead) and
// `passports` (a digest of what it publishes). Used for the industry
// interface and for storage-token issuance alike.
//
// The check is pure: whether the `jti` was seen before is the caller's to
// ask, once everything else has passed, so a refused JWT spends nothing.

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "certs/chain_validator.h"
#include "certs/error.h"
#include "certs/instant.h"
#include "certs/spc_map.h"
#include "certs/trust_store.h"
#include "cps/chain_cache.h"
#include "cps/validated_chains.h"

namespace keydir {

struct BearerRules {
  const TrustStore* trust = nullptr;
  ChainCache* chains = nullptr;          // for x5u
  ValidatedChains* validated = nullptr;  // chains validated lately; null: each one every time
  const SpcMap* spc_map = nullptr;       // for chains whose TNAuthLists name SPCs; may be null
  std::string audience;                  // the CPS's name
  std::chrono::seconds max_iat_skew{60};
  std::chrono::seconds max_retention{60};
  std::size_t max_chain_length = 5;
};

// What the request says, which the claims must match.
struct BearerRequest {
  std::string action;                     // "publish", "retrieve" or "token"
  std::optional<std::string> spc;         // the path's SPC, when it names one
  std::optional<std::string> dest, orig;  // the path's numbers, canonical
  // A publish: the body's "passports" array, as sent and as parsed.
  std::optional<std::string> passports_as_sent;
  std::optional<nlohmann::json> passports;
  // A token request: base64url SHA-256 of the body, for the `req` claim.
  std::optional<std::string> body_digest;
};

struct VerifiedBearer {
  nlohmann::json claims;
  std::shared_ptr<const ValidatedChain> chain;
  std::string jti;
  Instant jti_kept_until;  // after this, the JWT is refused by its iat anyway
  Instant retention;       // a publish: until when its passports are kept (exp)
};

// Checks `authorization` ("Bearer <JWT>") at `now`. Each refusal names the
// claim or step: kNotAuthorized (no bearer, a claim that does not match the
// request or the certificate), kBadSignature, kUntrustedChain, kExpired
// (iat or exp out of bounds), kMalformed (a JWT that does not parse),
// kUnavailable (an x5u that does not answer).
Result<VerifiedBearer> verifyBearer(std::string_view authorization, const BearerRequest& request,
                                    const BearerRules& rules, Instant now);

// True when checking `authorization` at `now` will wait for nothing: its
// JWT names its chain by x5c, or by an x5u whose chain was validated
// lately (or it will be refused before any fetch). False when the x5u's
// chain must be fetched. Parses the JWT's header alone.
bool bearerWaitsForNothing(std::string_view authorization, const BearerRules& rules, Instant now);

}  // namespace keydir
