#include "directory/key_record.h"

#include <algorithm>

#include "certs/base64.h"
#include "certs/encompassment.h"
#include "certs/json_fields.h"
#include "certs/jws.h"
#include "directory/store/key_store.h"

namespace keydir {

nlohmann::json buildKeyRecord(const VerifiedCredential& verified,
                              const std::vector<std::string>& chain_der,
                              const std::string& public_url) {
  nlohmann::json x5c = nlohmann::json::array();
  for (const auto& der : chain_der) x5c.push_back(base64Encode(der));
  return {{"id", verified.id},
          {"scope", scopeStrings(verified.chain.authority)},
          {"alg", keyTypeName(verified.key_type)},
          {"jwk", publicJwk(verified.public_key.get())},
          {"expires", rfc3339(verified.expires)},
          {"dc", base64UrlEncode(verified.serialized)},
          {"x5c", std::move(x5c)},
          {"x5u", public_url + "/v1/certs/" + chainAddress(chain_der)}};
}

Result<VerifiedCredential> verifyKeyRecord(const nlohmann::json& record, const TrustStore& trust,
                                           Instant now, const SpcMap* spc_map,
                                           std::string_view tn) {
  if (!record.is_object() || !record.contains("dc") || !record["dc"].is_string()) {
    return fail(ErrorCode::kMalformed, "key record has no \"dc\"");
  }
  auto dc = base64UrlDecode(record["dc"].get<std::string>());
  if (!dc) return failWithContext(dc.error(), "dc");
  auto chain = jwsChain(record);
  if (!chain) return std::unexpected(chain.error());
  CredentialPolicy policy;
  policy.check_max_validity = false;
  auto verified = verifyCredential(asStringView(*dc), *chain, trust, now, spc_map, policy);
  if (!verified) return std::unexpected(verified.error());

  auto disagrees = [&](const char* field) {
    return fail(ErrorCode::kBadSignature,
                std::string("key record's \"") + field + "\" does not match its signed credential");
  };
  if (textField(record, "id") != verified->id) return disagrees("id");
  if (textField(record, "alg") != keyTypeName(verified->key_type)) return disagrees("alg");
  if (!record.contains("jwk") || record["jwk"] != publicJwk(verified->public_key.get())) {
    return disagrees("jwk");
  }
  if (!record.contains("scope") ||
      record["scope"] != nlohmann::json(scopeStrings(verified->chain.authority))) {
    return disagrees("scope");
  }
  if (textField(record, "expires") != rfc3339(verified->expires)) return disagrees("expires");
  if (!tn.empty()) {
    bool inside =
        std::any_of(verified->chain.authority.begin(), verified->chain.authority.end(),
                    [&](const TnScope& scope) { return scopeContains(scope, tn, spc_map); });
    if (!inside) {
      return fail(ErrorCode::kNotAuthorized,
                  "key " + verified->id + " does not cover " + std::string(tn) +
                      (spc_map ? "" : " (SPC scopes need an SPC map to check)"));
    }
  }
  return verified;
}

}  // namespace keydir
