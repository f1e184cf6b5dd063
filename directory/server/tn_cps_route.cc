#include <algorithm>
#include <nlohmann/json.hpp>

#include "directory/server/routes.h"

namespace keydir {
namespace {

// Appends `text` as a JSON string. What an answer holds is almost all
// base64url (each advertisement's JWS, some 2 KB with its chain), which
// needs no escaping; the JSON library's escaping of every byte of it was a
// tenth of a lookup's time. Anything else goes through the library.
void appendJsonString(std::string& out, std::string_view text) {
  const bool plain = std::none_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\' ||
           static_cast<unsigned char>(c) >= 0x80;
  });
  if (!plain) {
    out += nlohmann::json(std::string(text)).dump();
    return;
  }
  out += '"';
  out += text;
  out += '"';
}

// Members in the order the JSON library wrote them (by name), so that the
// bytes, and hence the ETag, are what they were.
std::string cpsAnswerBody(const TnCps& found) {
  std::size_t size = 32 + found.tn.size();
  for (const auto& answer : found.cps) size += 96 + answer.jws.size() + answer.entry.uri.size();
  std::string body;
  body.reserve(size);
  body += "{\"cps\":[";
  for (std::size_t i = 0; i < found.cps.size(); ++i) {
    const CpsAnswer& answer = found.cps[i];
    body += i ? ",{" : "{";
    if (answer.provisioned) {
      body += "\"provisioned\":true,";
    } else {
      body += "\"ad\":";
      appendJsonString(body, answer.ad_id);
      body += ",\"jws\":";
      appendJsonString(body, answer.jws);
      body += ',';
    }
    body += "\"scope\":";
    appendJsonString(body, answer.entry.scope.toString());
    body += ",\"uri\":";
    appendJsonString(body, answer.entry.uri);
    body += '}';
  }
  body += "],\"tn\":";
  appendJsonString(body, found.tn);
  body += '}';
  return body;
}

}  // namespace

void serveTnCps(Exchange& exchange) {
  Instant now = exchange.now();
  auto found = directory(exchange).advertisements->resolve(exchange.param(0), now);
  if (!found) return exchange.sendProblem(found.error());
  auto max_age = std::chrono::seconds(directory(exchange).config.lookup_max_age_seconds);
  for (const auto& answer : found->cps) {
    if (answer.expires) {
      max_age = std::min(max_age,
                         std::chrono::duration_cast<std::chrono::seconds>(*answer.expires - now));
    }
  }
  exchange.sendCacheableJson(cpsAnswerBody(*found), max_age);
}

}  // namespace keydir
