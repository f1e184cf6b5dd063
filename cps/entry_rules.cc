#include "cps/entry_rules.h"

#include <nlohmann/json.hpp>

#include "certs/jwe.h"

namespace keydir {
namespace {

constexpr std::size_t kMaxKidBytes = 256;

std::string_view trimmed(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

Result<std::vector<std::string>> entryJwesFromBody(std::string_view body,
                                                   std::string_view content_type) {
  const std::string_view media = trimmed(content_type.substr(0, content_type.find(';')));
  if (media == "application/jose") return std::vector<std::string>{std::string(trimmed(body))};
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("jwes") || !parsed["jwes"].is_array()) {
    return fail(ErrorCode::kMalformed,
                "the body should be {\"jwes\": [compact JWE, ..]} (one JWE per key of the callee, "
                "as keydir encrypt makes them), or one compact JWE as application/jose");
  }
  std::vector<std::string> jwes;
  for (const auto& jwe : parsed["jwes"]) {
    // keydir encrypt prints {"kid", "alg", "jwe"} objects; their "jwe" is taken too.
    if (jwe.is_object() && jwe.contains("jwe") && jwe["jwe"].is_string()) {
      jwes.push_back(jwe["jwe"].get<std::string>());
    } else if (jwe.is_string()) {
      jwes.push_back(jwe.get<std::string>());
    } else {
      return fail(ErrorCode::kMalformed,
                  "each member of \"jwes\" is a compact JWE string (or an object with one as "
                  "\"jwe\")");
    }
  }
  return jwes;
}

Result<std::size_t> checkEntryJwes(const std::vector<std::string>& jwes,
                                   const EntryLimits& limits) {
  if (jwes.empty() || jwes.size() > limits.max_jwes) {
    return fail(ErrorCode::kMalformed, "an entry holds 1 to " + std::to_string(limits.max_jwes) +
                                           " JWEs, one per key of the callee, not " +
                                           std::to_string(jwes.size()));
  }
  std::size_t first_length = 0;
  for (std::size_t index = 0; index < jwes.size(); ++index) {
    const std::string which =
        "JWE " + std::to_string(index + 1) + " of " + std::to_string(jwes.size());
    if (jwes[index].size() > limits.max_jwe_bytes) {
      return fail(ErrorCode::kMalformed, which + " is " + std::to_string(jwes[index].size()) +
                                             " bytes, over the limit of " +
                                             std::to_string(limits.max_jwe_bytes));
    }
    auto envelope = jweEnvelope(jwes[index]);
    // Every refusal of a stored JWE is `malformed` (DESIGN section 13),
    // whatever certs/ calls it.
    if (!envelope) return fail(ErrorCode::kMalformed, which + ": " + envelope.error().message);
    const auto kid = envelope->header.find("kid");
    if (kid == envelope->header.end() || !kid->is_string() || kid->get<std::string>().empty() ||
        kid->get<std::string>().size() > kMaxKidBytes) {
      return fail(ErrorCode::kMalformed,
                  which + " has no \"kid\": the callee picks its key by it (RFC 8816 section 8.1)");
    }
    if (index == 0) first_length = envelope->ciphertext_bytes;
  }
  return first_length;
}

}  // namespace keydir
