#include "cps/passport_pickup.h"

#include "certs/jwe.h"
#include "certs/key_pair.h"

namespace keydir {
namespace {

// True when the PASSporT's "dest" names `tn` (RFC 8225 section 5.2.1).
bool namesCalled(const nlohmann::json& claims, const std::string& tn) {
  const auto dest = claims.find("dest");
  if (dest == claims.end() || !dest->is_object() || !dest->contains("tn")) return false;
  for (const auto& number : (*dest)["tn"]) {
    if (number.is_string() && number.get<std::string>() == tn) return true;
  }
  return false;
}

}  // namespace

Pickup pickUp(const nlohmann::json& answer, const std::vector<const EVP_PKEY*>& keys,
              const PassportCheck& check) {
  Pickup pickup;
  const std::string answer_tn = answer.value("tn", std::string());
  if (!answer.contains("ppts") || !answer["ppts"].is_array()) return pickup;
  for (const auto& entry : answer["ppts"]) {
    if (!entry.is_object() || !entry.contains("jwes") || !entry["jwes"].is_array()) continue;
    ++pickup.entries;
    const std::string tn = entry.value("tn", answer_tn);
    const std::string id = entry.value("id", std::string());
    // The entry holds one JWE per key of the callee: the first that opens is enough.
    bool opened_one = false;
    for (const auto& jwe : entry["jwes"]) {
      if (!jwe.is_string()) continue;
      ++pickup.jwes;
      auto envelope = jweEnvelope(jwe.get<std::string>());
      if (!envelope || opened_one) continue;
      for (const EVP_PKEY* key : keys) {
        auto type = keyTypeOf(key);
        if (!type || *type != envelope->epk_type) continue;
        auto opened = decryptJwe(jwe.get<std::string>(), const_cast<EVP_PKEY*>(key));
        if (!opened) continue;  // a dummy, or another key's JWE
        opened_one = true;
        auto verified = verifyPassport(opened->plaintext, check);
        if (!verified) {
          pickup.refused.push_back({tn, id, verified.error().message});
        } else if (!namesCalled(verified->claims, tn)) {
          pickup.refused.push_back({tn, id, "dest: the PASSporT is for other numbers than +" + tn});
        } else {
          pickup.verified.push_back({tn, id, opened->plaintext, std::move(*verified)});
        }
        break;
      }
    }
  }
  return pickup;
}

}  // namespace keydir
