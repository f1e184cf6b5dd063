#pragma once
// What the cache knows of its own freshness, shared by the thread that
// polls the directory and the threads that answer: when a poll last
// succeeded, the sequences reached, and why the last poll failed.
// Thread-safe.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "certs/instant.h"

namespace keydir {

class CacheStatus {
 public:
  CacheStatus(std::chrono::seconds max_staleness, std::optional<Instant> last_good_poll,
              std::int64_t sequence)
      : max_staleness_(max_staleness), last_good_poll_(last_good_poll), sequence_(sequence) {}

  void pollSucceeded(Instant at, std::int64_t sequence, std::int64_t upstream_sequence);
  void pollFailed(std::string why);
  void countRefused();

  // What a lookup needs, read under one lock.
  struct Freshness {
    bool empty = true;
    bool stale = true;
    long long age_seconds = 0;
  };
  Freshness freshness(Instant now) const;
  // Nothing to answer from: no whole snapshot was ever taken.
  bool empty() const;
  // No poll has succeeded for max_staleness.
  bool stale(Instant now) const;
  // Seconds since the last good poll (the age of what it serves).
  long long ageSeconds(Instant now) const;
  std::int64_t sequence() const;
  std::int64_t upstreamSequence() const;
  std::int64_t refused() const;
  std::optional<Instant> lastGoodPoll() const;
  std::string lastFailure() const;

 private:
  mutable std::mutex mutex_;
  std::chrono::seconds max_staleness_;
  std::optional<Instant> last_good_poll_;
  std::int64_t sequence_ = 0;
  std::int64_t upstream_sequence_ = 0;
  std::int64_t refused_ = 0;
  std::string last_failure_;
};

}  // namespace keydir
