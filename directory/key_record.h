#pragma once
// The key record served for a registered key (DESIGN section 4): id, scope,
// alg, jwk, expires, dc, x5c, x5u. A client verifies `dc` against `x5c` with
// its own anchors; the directory is a convenience, not a trust root.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "certs/credential_verifier.h"

namespace keydir {

// `chain_der` is the chain as registered, leaf first; `public_url` is the
// directory's base URL for x5u, without a trailing slash.
nlohmann::json buildKeyRecord(const VerifiedCredential& verified,
                              const std::vector<std::string>& chain_der,
                              const std::string& public_url);

}  // namespace keydir
