#include "cache/cache_status.h"

#include <algorithm>

namespace keydir {

void CacheStatus::pollSucceeded(Instant at, std::int64_t sequence, std::int64_t upstream_sequence) {
  std::lock_guard lock(mutex_);
  last_good_poll_ = at;
  sequence_ = sequence;
  upstream_sequence_ = std::max(upstream_sequence, sequence);
  last_failure_.clear();
}

void CacheStatus::pollFailed(std::string why) {
  std::lock_guard lock(mutex_);
  last_failure_ = std::move(why);
}

void CacheStatus::countRefused() {
  std::lock_guard lock(mutex_);
  ++refused_;
}

CacheStatus::Freshness CacheStatus::freshness(Instant now) const {
  std::lock_guard lock(mutex_);
  Freshness freshness;
  freshness.empty = sequence_ == 0;
  freshness.stale = !last_good_poll_ || now - *last_good_poll_ > max_staleness_;
  if (last_good_poll_)
    freshness.age_seconds = std::max<long long>(0, (now - *last_good_poll_).count());
  return freshness;
}

bool CacheStatus::empty() const {
  std::lock_guard lock(mutex_);
  return sequence_ == 0;
}

bool CacheStatus::stale(Instant now) const { return freshness(now).stale; }

long long CacheStatus::ageSeconds(Instant now) const { return freshness(now).age_seconds; }

std::int64_t CacheStatus::sequence() const {
  std::lock_guard lock(mutex_);
  return sequence_;
}

std::int64_t CacheStatus::upstreamSequence() const {
  std::lock_guard lock(mutex_);
  return upstream_sequence_;
}

std::int64_t CacheStatus::refused() const {
  std::lock_guard lock(mutex_);
  return refused_;
}

std::optional<Instant> CacheStatus::lastGoodPoll() const {
  std::lock_guard lock(mutex_);
  return last_good_poll_;
}

std::string CacheStatus::lastFailure() const {
  std::lock_guard lock(mutex_);
  return last_failure_;
}

}  // namespace keydir
