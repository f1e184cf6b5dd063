#pragma once
// PASSporT (RFC 8225), full form, ES256: what a caller signs and then
// encrypts to the callee's keys, and the verification service's checks on
// it once decrypted (RFC 8816 section 8.2, docs/design.md section 9). SHAKEN claims
// (RFC 8588) when an attestation level is given.

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "certs/chain_validator.h"
#include "certs/error.h"
#include "certs/instant.h"
#include "certs/openssl_ptr.h"
#include "certs/spc_map.h"
#include "certs/trust_store.h"

namespace keydir {

struct PassportClaims {
  std::string orig;               // canonical TN of the caller
  std::vector<std::string> dest;  // canonical TNs called
  Instant iat;
  std::string attest;  // "A", "B" or "C" for SHAKEN (RFC 8588); empty: none
  std::string origid;  // SHAKEN's origination id; made up (a UUID) when empty
};

// The header is {"alg":"ES256","typ":"passport"} plus "ppt":"shaken" with
// SHAKEN claims, and "x5u" when given, else "x5c" with `chain`.
Result<std::string> signPassport(const PassportClaims& claims, EVP_PKEY* key,
                                 const std::vector<X509Ptr>& chain,
                                 const std::optional<std::string>& x5u = std::nullopt);

// Fetches the chain an `x5u` names (PEM, leaf first).
using ChainFetcher = std::function<Result<std::vector<X509Ptr>>(const std::string& url)>;

struct PassportCheck {
  std::string orig;  // the calling number presented, canonical
  Instant now;
  std::chrono::seconds max_age{60};   // iat no older than this
  std::chrono::seconds max_ahead{5};  // nor further ahead
  const TrustStore* trust = nullptr;
  const SpcMap* spc_map = nullptr;  // for signers whose TNAuthList names an SPC
  ChainFetcher fetch_chain;         // for x5u; none: a PASSporT with x5u is refused
};

struct VerifiedPassport {
  nlohmann::json header;
  nlohmann::json claims;
  ValidatedChain chain;
};

// RFC 8816 section 8.2's steps, in order. Each refusal's message starts
// with its step: "ppt:" (not a PASSporT keydir takes), "orig:" (another
// calling number), "chain:" (no valid path to the anchors, or the orig TN
// outside the signer's TNAuthList), "fresh:" (iat too old or ahead),
// "signature:" (does not verify with the leaf's key).
Result<VerifiedPassport> verifyPassport(std::string_view compact, const PassportCheck& check);

}  // namespace keydir
