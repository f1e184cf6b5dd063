#include "cache/routes.h"
#include "directory/server/routes.h"

namespace keydir {
namespace {

// Says how fresh the answer is, then lets the directory's own route answer
// from the replica, so that the records and their order are the
// directory's. False when there is nothing to answer from yet.
bool answerFromReplica(Exchange& exchange) {
  CacheService& service = cache(exchange);
  if (service.status->empty()) {
    service.cache_metrics->countRequest(CacheMetrics::Result::kMiss);
    exchange.sendProblem({ErrorCode::kUnavailable,
                          "the cache has not finished its first copy of the directory; "
                          "try again shortly"});
    return false;
  }
  const Instant now = exchange.now();
  const bool stale = service.status->stale(now);
  exchange.setHeader("X-Cache", stale ? "stale" : "hit");
  exchange.setHeader("Age", std::to_string(service.status->ageSeconds(now)));
  if (stale) exchange.setHeader("Warning", "110 - \"Response is Stale\"");
  service.cache_metrics->countRequest(stale ? CacheMetrics::Result::kStale
                                            : CacheMetrics::Result::kHit);
  return true;
}

}  // namespace

void serveCachedTnKeys(Exchange& exchange) {
  if (answerFromReplica(exchange)) serveTnKeys(exchange);
}

void serveCachedTnCps(Exchange& exchange) {
  if (answerFromReplica(exchange)) serveTnCps(exchange);
}

}  // namespace keydir
