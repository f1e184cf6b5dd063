#pragma once
// The directory's rules for CPS advertisements (docs/design.md sections 5 and 6),
// apart from HTTP: publishing verifies before storing and replaces the
// signer's older advertisement; resolution answers, most specific first,
// the entries of current advertisements together with the operator's
// provisioned entries (RFC 8816 section 10: in a closed network the CPS
// can be provisioned). Safe to call from many threads.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "advertise/advertisement_verifier.h"
#include "certs/trust_store.h"
#include "directory/store/advertisement_store.h"

namespace keydir {

struct AdvertisementRules {
  AdvertisementPolicy verification;
  std::string public_url = "http://127.0.0.1:8080";  // base of x5u, no trailing slash
  std::vector<CpsEntry> provisioned;                 // served unsigned, marked so
};

struct Publication {
  std::string id;
  nlohmann::ordered_json record;
  bool created;  // false when the same JWS was already there
};

// One CPS for a TN: a signed entry carries its advertisement's id and JWS;
// a provisioned one has neither.
struct CpsAnswer {
  CpsEntry entry;
  bool provisioned = false;
  std::string ad_id;
  std::string jws;
  std::optional<Instant> expires;  // none for provisioned entries
};

struct TnCps {
  std::string tn;  // canonical
  std::vector<CpsAnswer> cps;
};

class AdvertisementRegistry {
 public:
  AdvertisementRegistry(AdvertisementStore& store, const SpcMap& spc_map, const TrustStore& trust,
                        AdvertisementRules rules)
      : store_(store), spc_map_(spc_map), trust_(trust), rules_(std::move(rules)) {}

  // Errors: those of verifyAdvertisement() and of
  // AdvertisementStore::publishAdvertisement().
  Result<Publication> publish(std::string_view jws, Instant now);

  // A stored advertisement, current or not; kNotFound if unknown.
  Result<StoredAdvertisement> advertisement(const std::string& id);
  // Its record: id, signer, iat, exp, expires, entries, jws, x5u and
  // status (current, replaced or expired).
  nlohmann::ordered_json recordOf(const StoredAdvertisement& ad, Instant now) const;

  // kInvalidTn for a bad number; otherwise the CPS entries for it, possibly
  // none. Provisioned entries come first among equally specific ones: the
  // operator put them there for its own network.
  Result<TnCps> resolve(std::string_view tn, Instant now);

 private:
  AdvertisementStore& store_;
  const SpcMap& spc_map_;
  const TrustStore& trust_;
  AdvertisementRules rules_;
};

// Reads provisioned CPS entries: a JSON file holding one object of scope ->
// https URI, the advertisement's own shape, checked by the same rules but
// without a signature or a pair limit.
Result<std::vector<CpsEntry>> loadProvisionedCps(const std::string& path);

}  // namespace keydir
