#pragma once
// A fixed set of threads for the work a reactor thread must not wait on:
// writes, streamed answers, anything that may wait on a disk or another
// server. Jobs run in the order given; stop() runs what is queued and joins.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace keydir {

class WorkerPool {
 public:
  explicit WorkerPool(std::size_t threads);
  ~WorkerPool() { stop(); }
  WorkerPool(const WorkerPool&) = delete;

  void submit(std::function<void()> job);
  // Jobs waiting now, for the metrics and the tests.
  std::size_t queued() const;
  void stop();

 private:
  void run();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  bool stopping_ = false;
};

}  // namespace keydir
