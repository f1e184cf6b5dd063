#pragma once
// A thread that works until stopped, sleeping between rounds in a way a
// stop cuts short: the directory's expiry sweeper, the cache's feed poller
// and its bucket refresher each run on one.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace keydir {

class BackgroundThread {
 public:
  BackgroundThread() = default;
  BackgroundThread(const BackgroundThread&) = delete;
  BackgroundThread& operator=(const BackgroundThread&) = delete;
  ~BackgroundThread() { stop(); }

  // Runs `body` on a new thread; it should return soon after stopping().
  void start(std::function<void()> body) { thread_ = std::thread(std::move(body)); }
  // Asks the body to end and waits for it.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  // Sleeps up to `seconds`; false when the sleep ended because of stop().
  bool sleep(std::chrono::duration<double> seconds) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, seconds, [this] { return stopping_; });
  }
  bool stopping() const {
    std::lock_guard lock(mutex_);
    return stopping_;
  }

 private:
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

}  // namespace keydir
