#include "directory/routes.h"

namespace keydir {

void serveGetAdvertisement(Exchange& exchange) {
  Instant now = exchange.now();
  auto record = exchange.service().advertisements->record(exchange.param(0), now);
  if (!record) return exchange.sendProblem(record.error());
  auto max_age = std::chrono::seconds(exchange.service().config.lookup_max_age_seconds);
  if ((*record)["status"] == "current") {
    auto expires = parseRfc3339((*record)["expires"].get<std::string>());
    if (expires)
      max_age = std::min(max_age, std::chrono::duration_cast<std::chrono::seconds>(*expires - now));
  }
  exchange.sendCacheableJson(record->dump(), max_age);
}

}  // namespace keydir
