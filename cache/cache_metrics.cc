#include "cache/cache_metrics.h"

namespace keydir {

CacheMetrics::CacheMetrics(prometheus::Registry& registry)
    : requests_(prometheus::BuildCounter()
                    .Name("keydir_cache_requests_total")
                    .Help("Lookups answered, by result: hit, miss or stale")
                    .Register(registry)),
      hits_(requests_.Add({{"result", "hit"}})),
      misses_(requests_.Add({{"result", "miss"}})),
      stale_(requests_.Add({{"result", "stale"}})),
      upstream_requests_(prometheus::BuildCounter()
                             .Name("keydir_cache_upstream_requests_total")
                             .Help("Requests to the directory, by kind and status (0: no answer)")
                             .Register(registry)),
      refused_(prometheus::BuildCounter()
                   .Name("keydir_cache_records_refused_total")
                   .Help("Records and removals the feed gave that did not verify, by reason")
                   .Register(registry)),
      rollbacks_refused_(prometheus::BuildCounter()
                             .Name("keydir_cache_rollbacks_refused_total")
                             .Help("Feeds, snapshots or buckets older than the sequence reached")
                             .Register(registry)
                             .Add({})),
      digest_mismatches_(prometheus::BuildCounter()
                             .Name("keydir_cache_digest_mismatches_total")
                             .Help("Batches after which the digest disagreed with the feed's")
                             .Register(registry)
                             .Add({})),
      lag_seconds_(prometheus::BuildGauge()
                       .Name("keydir_cache_feed_lag_seconds")
                       .Help("Seconds since a poll of the directory last succeeded")
                       .Register(registry)
                       .Add({})),
      lag_sequences_(prometheus::BuildGauge()
                         .Name("keydir_cache_feed_lag_sequences")
                         .Help("Changes the directory had that the cache had not applied, "
                               "at the last poll")
                         .Register(registry)
                         .Add({})) {}

void CacheMetrics::countRequest(Result result) {
  (result == Result::kHit ? hits_ : result == Result::kMiss ? misses_ : stale_).Increment();
}

void CacheMetrics::countUpstream(const std::string& kind, int status) {
  upstream_requests_.Add({{"kind", kind}, {"status", std::to_string(status)}}).Increment();
}

void CacheMetrics::countRefused(const std::string& reason) {
  refused_.Add({{"reason", reason}}).Increment();
}

std::string upstreamKind(const std::string& path) {
  std::string rest = path.starts_with("/v1/") ? path.substr(4) : path;
  return rest.substr(0, rest.find_first_of("/?"));
}

}  // namespace keydir
