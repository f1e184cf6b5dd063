#pragma once
// Per-client token buckets for writes (docs/design.md section 6: 50 per second,
// bursts of 100 by default). Thread-safe. Buckets idle long enough to be full
// again are dropped, so memory follows the number of recent writers.

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace keydir {

class RateLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  RateLimiter(double per_second, double burst) : per_second_(per_second), burst_(burst) {}

  // Takes one token for `client` at `now`. Returns 0 when allowed, or the
  // whole seconds to wait before a token is there (for Retry-After).
  long long acquire(const std::string& client, TimePoint now);

 private:
  struct Bucket {
    double tokens;
    TimePoint updated;
  };
  void forgetFullBuckets(TimePoint now);

  double per_second_;
  double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  TimePoint last_sweep_{};
};

}  // namespace keydir
