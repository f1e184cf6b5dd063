#include "directory/advertisement_registry.h"

#include <algorithm>
#include <limits>

#include "advertise/cps_resolution.h"
#include "certs/jws.h"
#include "certs/pem.h"
#include "certs/tn.h"
#include "directory/store/key_store.h"

namespace keydir {

Result<Publication> AdvertisementRegistry::publish(std::string_view jws, Instant now) {
  auto verified = verifyAdvertisement(jws, trust_, now, &spc_map_, rules_.verification);
  if (!verified) return std::unexpected(verified.error());
  NewAdvertisement ad{verified->id,  verified->jws,     verified->signer,  verified->iat,
                      verified->exp, verified->expires, verified->entries, verified->x5c_der};
  auto outcome = store_.publishAdvertisement(ad, now);
  if (!outcome) return std::unexpected(outcome.error());
  auto stored = advertisement(ad.id);
  if (!stored) return std::unexpected(stored.error());
  return Publication{ad.id, recordOf(*stored, now), *outcome == InsertOutcome::kInserted};
}

nlohmann::ordered_json AdvertisementRegistry::recordOf(const StoredAdvertisement& ad,
                                                       Instant now) const {
  // The entries are read back from the JWS, which the directory verified
  // before storing: what a client will verify is what it sees here.
  nlohmann::ordered_json entries = nlohmann::ordered_json::object();
  if (auto parsed = parseJws(ad.jws)) {
    entries = nlohmann::ordered_json::parse(parsed->payload, nullptr, false);
  }
  nlohmann::ordered_json record = {{"id", ad.id}, {"signer", ad.signer}, {"iat", rfc3339(ad.iat)}};
  if (ad.exp) record["exp"] = rfc3339(*ad.exp);
  record["expires"] = rfc3339(ad.expires);
  record["entries"] = entries;
  record["jws"] = ad.jws;
  record["x5u"] = rules_.public_url + "/v1/certs/" + ad.chain_address;
  if (ad.replaced_by) {
    record["status"] = "replaced";
    record["replaced_by"] = *ad.replaced_by;
  } else {
    record["status"] = ad.expires > now ? "current" : "expired";
  }
  return record;
}

Result<StoredAdvertisement> AdvertisementRegistry::advertisement(const std::string& id) {
  auto stored = store_.findAdvertisement(id);
  if (!stored) return std::unexpected(stored.error());
  if (!*stored) return fail(ErrorCode::kNotFound, "no advertisement with id " + id);
  return std::move(**stored);
}

Result<TnCps> AdvertisementRegistry::resolve(std::string_view tn, Instant now) {
  auto canonical = canonicalTn(tn);
  if (!canonical) return std::unexpected(canonical.error());
  auto signed_entries = store_.cpsForTn(*canonical, now);
  if (!signed_entries) return std::unexpected(signed_entries.error());
  TnCps answer{*canonical, {}};
  for (auto& entry : resolveCps(*canonical, rules_.provisioned, &spc_map_)) {
    answer.cps.push_back({std::move(entry), true, {}, {}, std::nullopt});
  }
  for (auto& stored : *signed_entries) {
    answer.cps.push_back({std::move(stored.entry), false, std::move(stored.ad_id),
                          std::move(stored.jws), stored.expires});
  }
  std::stable_sort(answer.cps.begin(), answer.cps.end(),
                   [](const CpsAnswer& a, const CpsAnswer& b) {
                     return moreSpecific(a.entry.scope, b.entry.scope);
                   });
  return answer;
}

Result<std::vector<CpsEntry>> loadProvisionedCps(const std::string& path) {
  auto text = readFile(path);
  if (!text) return std::unexpected(text.error());
  AdvertisementLimits unlimited{std::numeric_limits<std::size_t>::max(),
                                std::numeric_limits<std::size_t>::max()};
  auto entries = parseAdvertisementPayload(*text, unlimited);
  if (!entries) return failWithContext(entries.error(), "provisioned CPS file " + path);
  return entries;
}

}  // namespace keydir
