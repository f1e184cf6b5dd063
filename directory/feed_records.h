#pragma once
// What a record the feed carries (a snapshot line, a change's body, a
// bucket's item) becomes once it is verified: the checks a replica makes
// before it keeps anything, with the relying party's anchors and SPC map
// (docs/design.md section 8). The feed follower and the cache's buckets both use
// them, so a record is kept on the same terms whichever way it came.

#include <nlohmann/json.hpp>
#include <string>

#include "certs/spc_map.h"
#include "certs/trust_store.h"
#include "directory/store/advertisement_store.h"
#include "directory/store/key_store.h"

namespace keydir {

// A key record (as GET /v1/tns/{tn}/keys serves it) named `id`.
Result<NewKey> verifiedFeedKey(const std::string& id, const nlohmann::json& record,
                               const TrustStore& trust, Instant now, const SpcMap& spc_map);
// An advertisement, {"jws"} (and "id" in a bucket), named `id`.
Result<NewAdvertisement> verifiedFeedAd(const std::string& id, const nlohmann::json& body,
                                        const TrustStore& trust, Instant now,
                                        const SpcMap& spc_map);
// An SPC-map entry {"scope","spc"} whose id is its scope.
Result<SpcAssignment> parsedFeedSpcEntry(const std::string& id, const nlohmann::json& body);

// A verification error's name as a refusal reason, for logs and metrics. A
// key record whose scope is not its leaf's TNAuthList is singled out
// (scope-mismatch).
std::string refusalReason(const Error& error);

}  // namespace keydir
