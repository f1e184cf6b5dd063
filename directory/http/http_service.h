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
  // True when a lookup may wait on another server (a cache in buckets
  // mode): the reactor core then runs lookups on its workers (Cost).
  bool lookups_wait = false;
  // Served over TLS: every answer says Strict-Transport-Security, so that a
  // browser or client that honours it never falls back to plain HTTP.
  bool https = false;
  std::unique_ptr<RateLimiter> write_limiter;
  std::unique_ptr<AccessLog> access_log;
  std::unique_ptr<Metrics> metrics;

  // Held by each event thread of the reactor core for as long as it runs:
  // a service with SQLite storage pins one read connection to the thread,
  // so that a lookup never waits for one from a pool.
  virtual std::shared_ptr<void> holdForEventThread() { return nullptr; }
};

}  // namespace keydir
