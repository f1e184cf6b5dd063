#pragma once
// The key record served for a registered key (docs/design.md section 4): id, scope,
// alg, jwk, expires, dc, x5c, x5u. A client verifies `dc` against `x5c` with
// its own anchors; the directory is a convenience, not a trust root.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "certs/credential_verifier.h"
#include "certs/spc_map.h"
#include "certs/trust_store.h"

namespace keydir {

// `chain_der` is the chain as registered, leaf first; `public_url` is the
// directory's base URL for x5u, without a trailing slash.
nlohmann::json buildKeyRecord(const VerifiedCredential& verified,
                              const std::vector<std::string>& chain_der,
                              const std::string& public_url);

// Verifies a key record as a client must: `dc` against `x5c` with the
// client's own anchors at `now` (registration's 7-day limit aside), and
// id, alg, jwk, scope and expires agreeing with the credential. With `tn`,
// the TN must lie inside the scope (SPC scopes need `spc_map`).
// Errors name the first thing that does not hold.
Result<VerifiedCredential> verifyKeyRecord(const nlohmann::json& record, const TrustStore& trust,
                                           Instant now, const SpcMap* spc_map,
                                           std::string_view tn = {});

}  // namespace keydir
