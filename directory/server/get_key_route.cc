#include <nlohmann/json.hpp>

#include "directory/server/routes.h"

namespace keydir {

void serveGetKey(Exchange& exchange) {
  auto key = directory(exchange).registry->key(exchange.param(0));
  if (!key) return exchange.sendProblem(key.error());
  nlohmann::json record = nlohmann::json::parse(key->record);
  Instant now = exchange.now();
  if (key->revoked) {
    record["status"] = "revoked";
    record["revoked"] = rfc3339(*key->revoked);
  } else {
    record["status"] = key->expires > now ? "live" : "expired";
  }
  auto max_age =
      key->revoked
          ? std::chrono::seconds(directory(exchange).config.lookup_max_age_seconds)
          : std::max(
                std::chrono::seconds(0),
                std::min(key->expires - now,
                         std::chrono::seconds(directory(exchange).config.lookup_max_age_seconds)));
  exchange.sendCacheableJson(record.dump(), max_age);
}

}  // namespace keydir
