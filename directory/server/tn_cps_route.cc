#include <algorithm>
#include <nlohmann/json.hpp>

#include "certs/tn.h"
#include "directory/cps_answers.h"
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

// The answer up to its number (CpsAnswers::finish() adds it), members in
// the order the JSON library wrote them (by name), so that the bytes, and
// hence the ETag, are what they were.
std::string cpsAnswerHead(const TnCps& found) {
  std::size_t size = 32;
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
  return body;
}

}  // namespace

void serveTnCps(Exchange& exchange) {
  DirectoryService& service = directory(exchange);
  const Instant now = exchange.now();
  auto tn = canonicalTn(exchange.param(0));
  if (!tn) return exchange.sendProblem(tn.error());
  auto send = [&](const std::string& head, std::optional<Instant> expires) {
    auto max_age = std::chrono::seconds(service.config.lookup_max_age_seconds);
    if (expires) {
      max_age = std::min(max_age, std::chrono::duration_cast<std::chrono::seconds>(*expires - now));
    }
    exchange.sendCacheableJson(CpsAnswers::finish(head, *tn), max_age);
  };
  // As for key lookups: a held answer is used only once the held answers
  // have caught up with the store, and a number not held is answered
  // afresh without that read. The generation is read before the store is
  // asked: a change the catch-up has not seen yet drops the answer when it
  // is seen, and one it has seen is in what the store answers.
  LookupAnswers* held = service.lookup_answers.get();
  if (CpsAnswers::Answer answer; held && held->cps().copy(*tn, now, answer)) {
    if (!held->catchUp()) {
      held = nullptr;
    } else if (held->cps().copy(*tn, now, answer)) {
      return send(*answer.head, answer.expires);
    }
  }
  const std::uint64_t generation = held ? held->cps().generation() : 0;
  auto found = service.advertisements->resolve(*tn, now);
  if (!found) return exchange.sendProblem(found.error());
  std::optional<Instant> expires;
  for (const auto& answer : found->cps) {
    if (answer.expires && (!expires || *answer.expires < *expires)) expires = answer.expires;
  }
  std::string head = cpsAnswerHead(*found);
  if (held) held->cps().keep(*tn, generation, head, expires);
  send(head, expires);
}

}  // namespace keydir
