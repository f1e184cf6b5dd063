#pragma once
// The checks a relying party makes on a directory's (or a cache's) answers
// about one TN (docs/design.md section 9): every record verified locally with the
// caller's own anchors, since the directory is a convenience, not a trust
// root. `keydir lookup` and `keydir resolve` use them; the cache verifies
// the same records with the same verifyKeyRecord and verifyAdvertisement
// before it keeps them.

#include <nlohmann/json.hpp>
#include <string_view>

#include "certs/instant.h"
#include "certs/spc_map.h"
#include "certs/trust_store.h"

namespace keydir {

// What survived the checks, and what did not with the reason: rejected
// items are {"id", "problem", "detail"}.
struct Checked {
  nlohmann::json accepted = nlohmann::json::array();
  nlohmann::json rejected = nlohmann::json::array();
};

// The "keys" of GET /v1/tns/{tn}/keys: each record verified with
// verifyKeyRecord, the TN inside its scope.
Checked checkKeyRecords(const nlohmann::json& records, std::string_view tn, const TrustStore& trust,
                        const SpcMap& spc_map, Instant now);

// The "cps" of GET /v1/tns/{tn}/cps: each signed entry's JWS verified as an
// advertisement, and the entry must be one of it and hold the TN.
// Provisioned entries carry no proof: kept, marked, only when
// `accept_provisioned`.
Checked checkCpsEntries(const nlohmann::json& entries, std::string_view tn, const TrustStore& trust,
                        const SpcMap& spc_map, Instant now, bool accept_provisioned);

}  // namespace keydir
