#include "cache/bucket_holder.h"
#include "cache/routes.h"
#include "certs/tn.h"
#include "directory/server/routes.h"

namespace keydir {
namespace {

// Says how fresh the answer is, then lets the directory's own route answer
// from the replica, so that the records and their order are the
// directory's. In buckets mode the number's bucket is made sure of first.
// False when there is nothing to answer from.
bool answerFromReplica(Exchange& exchange) {
  CacheService& service = cache(exchange);
  auto unavailable = [&](const std::string& why) {
    service.cache_metrics->countRequest(CacheMetrics::Result::kMiss);
    exchange.sendProblem({ErrorCode::kUnavailable, why});
    return false;
  };
  const Instant now = exchange.now();
  const CacheStatus::Freshness freshness = service.status->freshness(now);
  if (freshness.empty) {
    return unavailable(
        "the cache has not finished its first copy of the directory; try again shortly");
  }
  bool stale = freshness.stale;
  bool missed = false;
  long long age = freshness.age_seconds;
  if (service.buckets != nullptr) {
    // A number that does not parse is left to the directory's route to refuse.
    if (auto tn = canonicalTn(exchange.param(0))) {
      auto held = service.buckets->ensure(*tn);
      if (!held) return unavailable(held.error().message);
      missed = held->found == BucketHolder::Found::kFetched;
      stale = stale || held->found == BucketHolder::Found::kStale;
      age = std::max<long long>(0, (now - held->fetched).count());
    }
  }
  exchange.setHeader("X-Cache", stale ? "stale" : missed ? "miss" : "hit");
  exchange.setHeader("Age", std::to_string(age));
  if (stale) exchange.setHeader("Warning", "110 - \"Response is Stale\"");
  service.cache_metrics->countRequest(stale    ? CacheMetrics::Result::kStale
                                      : missed ? CacheMetrics::Result::kMiss
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
