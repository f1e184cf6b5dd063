#pragma once
// What the HTTP layer needs from the application it serves: the clock, the
// body limit, the write rate limit, the access log and the metrics. The
// directory and the cache each extend it with their own parts; a route
// reaches those through its own application's accessor.

#include <cstddef>
#include <memory>

#include "certs/clock.h"
#include "directory/http/access_log.h"
#include "directory/http/metrics.h"
#include "directory/http/rate_limiter.h"

namespace keydir {

struct HttpService {
  virtual ~HttpService() = default;

  const Clock* clock = nullptr;
  std::size_t max_body_bytes = 64 * 1024;
  std::unique_ptr<RateLimiter> write_limiter;
  std::unique_ptr<AccessLog> access_log;
  std::unique_ptr<Metrics> metrics;
};

}  // namespace keydir
