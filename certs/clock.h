#pragma once
// Where servers and followers read the time, so tests can move it without
// sleeping.

#include <atomic>

#include "certs/instant.h"

namespace keydir {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant now() const = 0;
};

class SystemClock : public Clock {
 public:
  Instant now() const override { return nowInstant(); }
};

// A clock that moves only when told; safe to read from many threads.
class ManualClock : public Clock {
 public:
  explicit ManualClock(Instant start) : seconds_(start.time_since_epoch().count()) {}
  Instant now() const override { return Instant(std::chrono::seconds(seconds_.load())); }
  void set(Instant at) { seconds_ = at.time_since_epoch().count(); }
  void advance(std::chrono::seconds by) { seconds_ += by.count(); }

 private:
  std::atomic<long long> seconds_;
};

}  // namespace keydir
