#include "cache/routes.h"

namespace keydir {

void serveCacheMetrics(Exchange& exchange) {
  CacheService& service = cache(exchange);
  const Instant now = exchange.now();
  service.cache_metrics->setFeedLag(
      double(service.status->ageSeconds(now)),
      double(service.status->upstreamSequence() - service.status->sequence()));
  service.metrics->setSequence(double(service.status->sequence()));
  if (service.lookup_answers) service.lookup_answers->report(*service.metrics);
  exchange.sendText(200, "text/plain; version=0.0.4", service.metrics->render());
}

}  // namespace keydir
