#include "advertise/advertisement.h"

#include <nlohmann/json.hpp>
#include <set>

#include "advertise/cps_uri.h"

namespace keydir {
namespace {

Result<CpsEntry> entryFrom(const std::string& scope_text, const std::string& uri) {
  auto scope = TnScope::parse(scope_text);
  if (!scope) return failWithContext(scope.error(), "advertisement scope '" + scope_text + "'");
  if (auto ok = checkCpsUri(uri); !ok) {
    return failWithContext(ok.error(), "advertisement entry " + scope_text);
  }
  return CpsEntry{std::move(*scope), uri};
}

Result<void> checkCount(std::size_t pairs, const AdvertisementLimits& limits) {
  if (pairs == 0) return fail(ErrorCode::kMalformed, "advertisement has no scope/URI pairs");
  if (pairs > limits.max_pairs) {
    return fail(ErrorCode::kMalformed, "advertisement has " + std::to_string(pairs) +
                                           " scope/URI pairs; at most " +
                                           std::to_string(limits.max_pairs) +
                                           " are accepted: split it by signer or scope");
  }
  return {};
}

}  // namespace

Result<std::vector<CpsEntry>> parseAdvertisementPayload(std::string_view payload,
                                                        const AdvertisementLimits& limits) {
  // nlohmann keeps the last of two equal member names; an advertisement that
  // says two things for one scope is refused instead, so names are watched
  // as they are read.
  std::string repeated;
  std::set<std::string> seen;
  auto watch = [&](int depth, nlohmann::ordered_json::parse_event_t event,
                   nlohmann::ordered_json& parsed) {
    if (depth == 1 && event == nlohmann::ordered_json::parse_event_t::key) {
      std::string name = parsed.get<std::string>();
      if (!seen.insert(name).second && repeated.empty()) repeated = name;
    }
    return true;
  };
  nlohmann::ordered_json object = nlohmann::ordered_json::parse(payload, watch, false);
  if (object.is_discarded() || !object.is_object()) {
    return fail(ErrorCode::kMalformed,
                "advertisement payload is not a JSON object of scope -> CPS URI");
  }
  if (!repeated.empty()) {
    return fail(ErrorCode::kMalformed, "advertisement names scope '" + repeated + "' twice");
  }
  if (auto ok = checkCount(object.size(), limits); !ok) return std::unexpected(ok.error());
  std::vector<CpsEntry> entries;
  entries.reserve(object.size());
  for (const auto& [scope_text, uri] : object.items()) {
    if (!uri.is_string()) {
      return fail(ErrorCode::kMalformed,
                  "advertisement entry " + scope_text + " is not a string URI");
    }
    auto entry = entryFrom(scope_text, uri.get<std::string>());
    if (!entry) return std::unexpected(entry.error());
    entries.push_back(std::move(*entry));
  }
  return entries;
}

Result<void> checkCpsEntries(const std::vector<CpsEntry>& entries,
                             const AdvertisementLimits& limits) {
  if (auto ok = checkCount(entries.size(), limits); !ok) return ok;
  std::set<std::string> seen;
  for (const auto& entry : entries) {
    std::string scope = entry.scope.toString();
    if (!seen.insert(scope).second) {
      return fail(ErrorCode::kMalformed, "advertisement names scope '" + scope + "' twice");
    }
    if (auto ok = checkCpsUri(entry.uri); !ok) {
      return failWithContext(ok.error(), "advertisement entry " + scope);
    }
  }
  return {};
}

std::string advertisementPayload(const std::vector<CpsEntry>& entries) {
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  for (const auto& entry : entries) object[entry.scope.toString()] = entry.uri;
  return object.dump();
}

Result<CpsEntry> parseCpsEntryAssignment(std::string_view text) {
  std::size_t equals = text.find('=');
  if (equals == std::string_view::npos) {
    return fail(ErrorCode::kMalformed, "entry '" + std::string(text) +
                                           "' is not SCOPE=URI, e.g. 0-1234=https://cps.example");
  }
  return entryFrom(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
}

}  // namespace keydir
