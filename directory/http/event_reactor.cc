#include "directory/http/event_reactor.h"

#include <iostream>

#include "directory/http/http_connection.h"
#include "directory/http/http_service.h"
#include "directory/http/reactor_core.h"

namespace keydir {
namespace {

// Deadlines are whole seconds; checking five times a second ends an
// overdue connection within a fifth of a second of its deadline.
constexpr auto kCheckEvery = std::chrono::milliseconds(200);

}  // namespace

EventReactor::EventReactor() : ended_future_(ended_.get_future()) {
  // Short, so that stop() is quick and an idle reactor still checks.
  setTimeout(Poco::Timespan(0, 100 * 1000));
}

void EventReactor::track(HttpConnection* connection) {
  std::lock_guard lock(mutex_);
  connections_.insert(connection);
}

void EventReactor::untrack(HttpConnection* connection) {
  std::lock_guard lock(mutex_);
  connections_.erase(connection);
}

void EventReactor::onBusy() { everyLoop(); }

void EventReactor::onTimeout() {
  // Poco's own would notify every connection of the timeout; none listens.
  everyLoop();
}

void EventReactor::everyLoop() {
  if (!holding_) {
    holding_ = true;
    try {
      held_ = core().service().holdForEventThread();
    } catch (const std::exception& error) {
      // Lookups then borrow from the pool like any other thread.
      std::cerr << "keydir: an event thread has no storage connection of its own: " << error.what()
                << "\n";
    }
  }
  const Clock::time_point now = Clock::now();
  if (now < next_check_) return;
  next_check_ = now + kCheckEvery;
  closeOverdue(now);
}

void EventReactor::closeOverdue(Clock::time_point now) {
  std::vector<HttpConnection*> overdue;
  {
    std::lock_guard lock(mutex_);
    for (HttpConnection* connection : connections_) {
      if (!connection->away() && connection->deadline() <= now) overdue.push_back(connection);
    }
  }
  for (HttpConnection* connection : overdue) connection->onDeadline();
}

void EventReactor::onShutdown() {
  held_.reset();
  SocketReactor::onShutdown();
  ended_.set_value();
}

void EventReactor::stopLoop() {
  stop();
  wakeUp();
  ended_future_.wait();
}

std::vector<HttpConnection*> EventReactor::takeConnections() {
  std::lock_guard lock(mutex_);
  std::vector<HttpConnection*> left(connections_.begin(), connections_.end());
  connections_.clear();
  return left;
}

}  // namespace keydir
