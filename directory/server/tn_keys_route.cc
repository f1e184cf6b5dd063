#include "directory/server/routes.h"

namespace keydir {

void serveTnKeys(Exchange& exchange) {
  Instant now = exchange.now();
  auto found = directory(exchange).registry->lookup(exchange.param(0), now);
  if (!found) return exchange.sendProblem(found.error());
  // The stored records are JSON already: join them rather than re-encode.
  std::string body = "{\"tn\":\"" + found->tn + "\",\"keys\":[";
  auto max_age = std::chrono::seconds(directory(exchange).config.lookup_max_age_seconds);
  for (std::size_t i = 0; i < found->keys.size(); ++i) {
    if (i) body += ',';
    body += found->keys[i].record;
    max_age = std::min(
        max_age, std::chrono::duration_cast<std::chrono::seconds>(found->keys[i].expires - now));
  }
  body += "]}";
  exchange.sendCacheableJson(body, max_age);
}

}  // namespace keydir
