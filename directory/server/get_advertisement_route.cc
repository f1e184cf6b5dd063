#include "directory/server/routes.h"

namespace keydir {

void serveGetAdvertisement(Exchange& exchange) {
  Instant now = exchange.now();
  auto& registry = *directory(exchange).advertisements;
  auto ad = registry.advertisement(exchange.param(0));
  if (!ad) return exchange.sendProblem(ad.error());
  auto max_age = std::chrono::seconds(directory(exchange).config.lookup_max_age_seconds);
  if (!ad->replaced_by && ad->expires > now) {
    max_age =
        std::min(max_age, std::chrono::duration_cast<std::chrono::seconds>(ad->expires - now));
  }
  exchange.sendCacheableJson(registry.recordOf(*ad, now).dump(), max_age);
}

}  // namespace keydir
