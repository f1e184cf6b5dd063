#include "cps/entry_rules.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>

#include "certs/jwe.h"

namespace keydir {
namespace {

constexpr std::size_t kMaxKidBytes = 256;

// Base64url and dots: what a compact JWE is made of, and what JSON
// carries as it is. Looked up in a table: this runs over every byte of
// every stored JWE.
bool isPlainToken(std::string_view text) {
  static constexpr std::array<bool, 256> kPlain = [] {
    std::array<bool, 256> plain{};
    for (char c :
         std::string_view("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")) {
      plain[std::uint8_t(c)] = true;
    }
    return plain;
  }();
  return std::all_of(text.begin(), text.end(), [](char c) { return kPlain[std::uint8_t(c)]; });
}

std::string_view trimmed(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// The body as every caller writes it, {"jwes":["..",".."]} with JWEs of
// base64url and dots, read without building a JSON tree (a store's body
// is mostly ciphertext, and the tree cost more than the rest of a store).
// nullopt for anything else, which the JSON parser then reads.
std::optional<std::vector<std::string>> plainEntryBody(std::string_view body) {
  std::size_t at = 0;
  auto blanks = [&] {
    while (at < body.size() &&
           std::string_view(" \t\r\n").find(body[at]) != std::string_view::npos) {
      ++at;
    }
  };
  auto take = [&](std::string_view text) {
    blanks();
    if (body.substr(at, text.size()) != text) return false;
    at += text.size();
    return true;
  };
  if (!take("{") || !take("\"jwes\"") || !take(":") || !take("[")) return std::nullopt;
  std::vector<std::string> jwes;
  if (!take("]")) {
    do {
      if (!take("\"")) return std::nullopt;
      const std::size_t end = body.find('"', at);
      if (end == std::string_view::npos) return std::nullopt;
      const std::string_view jwe = body.substr(at, end - at);
      if (!isPlainToken(jwe)) return std::nullopt;
      jwes.emplace_back(jwe);
      at = end + 1;
    } while (take(","));
    if (!take("]")) return std::nullopt;
  }
  if (!take("}")) return std::nullopt;
  blanks();
  if (at != body.size()) return std::nullopt;
  return jwes;
}

}  // namespace

Result<std::vector<std::string>> entryJwesFromBody(std::string_view body,
                                                   std::string_view content_type) {
  const std::string_view media = trimmed(content_type.substr(0, content_type.find(';')));
  if (media == "application/jose") return std::vector<std::string>{std::string(trimmed(body))};
  if (auto plain = plainEntryBody(body)) return std::move(*plain);
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
    // Every refusal of a stored JWE is `malformed` (docs/design.md section 13),
    // whatever certs/ calls it.
    if (!envelope) return fail(ErrorCode::kMalformed, which + ": " + envelope.error().message);
    if (envelope->kid.empty() || envelope->kid.size() > kMaxKidBytes) {
      return fail(ErrorCode::kMalformed,
                  which + " has no \"kid\": the callee picks its key by it (RFC 8816 section 8.1)");
    }
    if (index == 0) first_length = envelope->ciphertext_bytes;
  }
  return first_length;
}

std::string entryJson(std::string_view id, const std::vector<std::string>& jwes) {
  std::size_t bytes = id.size() + 20;
  for (const std::string& jwe : jwes) bytes += jwe.size() + 3;
  std::string json;
  json.reserve(bytes);
  // A checked JWE is base64url and dots, and an id base64url: neither
  // needs escaping, and the JSON library's escaping of them was 3% of a
  // store. Anything else still goes through the library.
  auto append_string = [&json](std::string_view text) {
    if (isPlainToken(text)) {
      json.append(1, '"').append(text).append(1, '"');
    } else {
      json += nlohmann::json(text).dump();
    }
  };
  json.append("{\"id\":");
  append_string(id);
  json.append(",\"jwes\":[");
  for (std::size_t index = 0; index < jwes.size(); ++index) {
    if (index > 0) json += ',';
    append_string(jwes[index]);
  }
  json += "]}";
  return json;
}

}  // namespace keydir
