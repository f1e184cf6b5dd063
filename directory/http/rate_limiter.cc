#include "directory/http/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace keydir {

long long RateLimiter::acquire(const std::string& client, TimePoint now) {
  if (per_second_ <= 0) return 0;  // limiting turned off
  std::lock_guard lock(mutex_);
  if (now - last_sweep_ > std::chrono::seconds(60)) forgetFullBuckets(now);
  auto [it, inserted] = buckets_.try_emplace(client, Bucket{burst_, now});
  Bucket& bucket = it->second;
  double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  bucket.tokens = std::min(burst_, bucket.tokens + elapsed * per_second_);
  bucket.updated = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return 0;
  }
  return std::max(1LL, static_cast<long long>(std::ceil((1 - bucket.tokens) / per_second_)));
}

void RateLimiter::forgetFullBuckets(TimePoint now) {
  last_sweep_ = now;
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    double elapsed = std::chrono::duration<double>(now - it->second.updated).count();
    if (it->second.tokens + elapsed * per_second_ >= burst_) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace keydir
