#include "directory/key_record.h"

#include "certs/base64.h"
#include "directory/key_store.h"

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

}  // namespace keydir
