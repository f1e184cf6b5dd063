#pragma once
// The cache's own metrics (docs/design.md section 8), registered beside the HTTP
// metrics every keydir server has, so that /metrics renders both.
// Thread-safe.

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <string>

namespace keydir {

class CacheMetrics {
 public:
  explicit CacheMetrics(prometheus::Registry& registry);

  enum class Result { kHit, kMiss, kStale };
  void countRequest(Result result);
  // `kind` is what was asked (snapshot, changes, meta, buckets, certs);
  // `status` the HTTP status, 0 when no answer came.
  void countUpstream(const std::string& kind, int status);
  void countRefused(const std::string& reason);
  void countRollbackRefused() { rollbacks_refused_.Increment(); }
  void countDigestMismatch() { digest_mismatches_.Increment(); }
  void setFeedLag(double seconds, double sequences) {
    lag_seconds_.Set(seconds);
    lag_sequences_.Set(sequences);
  }

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  // Looked up once: a family's Add takes a lock and hashes the labels.
  prometheus::Counter& hits_;
  prometheus::Counter& misses_;
  prometheus::Counter& stale_;
  prometheus::Family<prometheus::Counter>& upstream_requests_;
  prometheus::Family<prometheus::Counter>& refused_;
  prometheus::Counter& rollbacks_refused_;
  prometheus::Counter& digest_mismatches_;
  prometheus::Gauge& lag_seconds_;
  prometheus::Gauge& lag_sequences_;
};

// The kind of an upstream path: "/v1/changes?since=3" -> "changes".
std::string upstreamKind(const std::string& path);

}  // namespace keydir
