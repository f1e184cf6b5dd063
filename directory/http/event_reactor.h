#pragma once
// One event thread of the reactor core: Poco's SocketReactor, plus what
// Poco 1.11's leaves out. It keeps the connections it serves so that their
// deadlines are checked (Poco sends its timeout notice only when nothing
// was readable, so a busy reactor would never end a slow client); it holds
// what the service gives an event thread (its SQLite connection) while it
// runs; and it says when its loop has ended.

#include <Poco/Net/SocketReactor.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <vector>

namespace keydir {

class HttpConnection;
class ReactorCore;

class EventReactor : public Poco::Net::SocketReactor {
 public:
  using Clock = std::chrono::steady_clock;

  EventReactor();
  // Set before the first connection arrives.
  void attach(ReactorCore& core) { core_.store(&core, std::memory_order_release); }
  ReactorCore& core() const { return *core_.load(std::memory_order_acquire); }

  void track(HttpConnection* connection);
  void untrack(HttpConnection* connection);
  // The lock a worker holds while it hands a connection back, so that a
  // deadline check sees it either still away or wholly back.
  std::mutex& handBackMutex() { return mutex_; }

  // Ends the loop and waits until it has.
  void stopLoop();
  // Once every thread is done: the connections still open, for the caller
  // to close.
  std::vector<HttpConnection*> takeConnections();

 protected:
  void onBusy() override;
  void onTimeout() override;
  void onShutdown() override;

 private:
  void everyLoop();
  void closeOverdue(Clock::time_point now);

  std::atomic<ReactorCore*> core_{nullptr};
  std::mutex mutex_;
  std::unordered_set<HttpConnection*> connections_;
  Clock::time_point next_check_{};
  std::shared_ptr<void> held_;
  bool holding_ = false;
  std::promise<void> ended_;
  std::future<void> ended_future_;
};

}  // namespace keydir
