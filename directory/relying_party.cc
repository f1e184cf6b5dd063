#include "directory/relying_party.h"

#include <algorithm>

#include "advertise/advertisement_verifier.h"
#include "certs/encompassment.h"
#include "certs/json_fields.h"
#include "directory/key_record.h"

namespace keydir {
namespace {

nlohmann::json rejection(const std::string& id, const Error& error) {
  return {{"id", id}, {"problem", errorTypeName(error.code)}, {"detail", error.message}};
}

// The entry must be what the advertisement says, and hold the TN.
Result<void> checkCpsEntry(const nlohmann::json& item, std::string_view tn, const TrustStore& trust,
                           const SpcMap& spc_map, Instant now) {
  if (!item.is_object() || !item.contains("jws") || !item["jws"].is_string() ||
      !item.contains("scope") || !item["scope"].is_string() || !item.contains("uri") ||
      !item["uri"].is_string()) {
    return fail(ErrorCode::kMalformed, "CPS entry needs \"scope\", \"uri\" and \"jws\"");
  }
  auto verified = verifyAdvertisement(item["jws"].get<std::string>(), trust, now, &spc_map);
  if (!verified) return std::unexpected(verified.error());
  if (textField(item, "ad") != verified->id) {
    return fail(ErrorCode::kMalformed, "CPS entry names advertisement " + textField(item, "ad") +
                                           " but its JWS is " + verified->id);
  }
  auto scope = TnScope::parse(item["scope"].get<std::string>());
  if (!scope) return std::unexpected(scope.error());
  CpsEntry claimed{*scope, item["uri"].get<std::string>()};
  if (std::find(verified->entries.begin(), verified->entries.end(), claimed) ==
      verified->entries.end()) {
    return fail(ErrorCode::kBadSignature,
                "the advertisement does not say " + scope->toString() + " -> " + claimed.uri);
  }
  if (!scopeContains(*scope, std::string(tn), &spc_map)) {
    return fail(ErrorCode::kNotAuthorized,
                "scope " + scope->toString() + " does not hold " + std::string(tn) +
                    (scope->kind() == TnScope::Kind::kSpc ? " by the SPC map given" : ""));
  }
  return {};
}

}  // namespace

Checked checkKeyRecords(const nlohmann::json& records, std::string_view tn, const TrustStore& trust,
                        const SpcMap& spc_map, Instant now) {
  Checked checked;
  for (const auto& record : records) {
    auto check = verifyKeyRecord(record, trust, now, &spc_map, tn);
    if (check) {
      checked.accepted.push_back(record);
    } else {
      checked.rejected.push_back(
          rejection(record.is_object() ? textField(record, "id") : "", check.error()));
    }
  }
  return checked;
}

Checked checkCpsEntries(const nlohmann::json& entries, std::string_view tn, const TrustStore& trust,
                        const SpcMap& spc_map, Instant now, bool accept_provisioned) {
  Checked checked;
  for (const auto& item : entries) {
    if (item.is_object() && fieldOr(item, "provisioned", false)) {
      if (accept_provisioned) {
        checked.accepted.push_back(item);
      } else {
        checked.rejected.push_back(rejection(
            textField(item, "uri"),
            {ErrorCode::kUntrustedChain,
             "a provisioned entry carries no signature; pass --accept-provisioned to take the "
             "directory's word for it"}));
      }
      continue;
    }
    if (auto ok = checkCpsEntry(item, tn, trust, spc_map, now); ok) {
      checked.accepted.push_back(item);
    } else {
      checked.rejected.push_back(
          rejection(item.is_object() ? textField(item, "ad") : "", ok.error()));
    }
  }
  return checked;
}

}  // namespace keydir
