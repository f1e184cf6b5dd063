#pragma once
// One client connection of the reactor core, from accept to close: TLS
// handshake if any, requests read as they arrive and taken out whole by
// RequestParser, lookups answered on the event thread, anything that may
// wait handed to a worker with the connection, answers written as the
// socket takes them, and each of ReactorLimits' deadlines kept.
//
// Ownership: the event thread owns the connection, except while a worker
// answers for it (away()), when the reactor has no interest in its socket
// and the worker alone touches it. Whoever owns it closes and deletes it.

#include <Poco/Net/SocketNotification.h>
#include <Poco/Net/SocketReactor.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "directory/http/channel.h"
#include "directory/http/output_queue.h"
#include "directory/http/request_parser.h"

namespace keydir {

class EventReactor;
class ReactorCore;

class HttpConnection {
 public:
  using Clock = std::chrono::steady_clock;

  // The constructor Poco's ParallelSocketAcceptor calls; the core is the
  // reactor's.
  HttpConnection(Poco::Net::StreamSocket& socket, Poco::Net::SocketReactor& reactor);
  HttpConnection(const HttpConnection&) = delete;

  void onReadable(const Poco::AutoPtr<Poco::Net::ReadableNotification>&);
  void onWritable(const Poco::AutoPtr<Poco::Net::WritableNotification>&);
  // Called by the event thread once deadline() has passed.
  void onDeadline();
  Clock::time_point deadline() const {
    return Clock::time_point(Clock::duration(deadline_.load(std::memory_order_acquire)));
  }
  bool away() const { return away_.load(std::memory_order_acquire); }
  // The core is stopping and every thread is done: close at once.
  void abandon();

  // For the transport of the request being answered.
  const std::string& clientHost() const { return client_host_; }
  // Queues bytes of an answer; a worker writes them out once enough wait.
  void queue(std::string_view bytes);
  // Queues bytes that outlive the connection (a static block) without
  // copying them.
  void queueLasting(std::string_view bytes);
  // True once the client cannot be written to any more.
  bool broken() const { return broken_; }
  // Ends the connection once the current answer is out.
  void closeAfterAnswer() { close_after_flush_ = true; }

 private:
  enum class Phase { kHandshake, kServing, kLingering };

  ~HttpConnection();
  ReactorCore& core();
  void advanceOrClose();
  void advance();
  void handshake();
  void linger();
  // Reads what arrived into the parser; false when the connection is over.
  bool readArrived();
  // Answers every whole request the parser holds, on this thread; returns
  // false when one was handed to a worker (the connection is away).
  bool serveArrived(bool on_worker);
  void answer(ParsedRequest& request, bool keep_alive);
  void answerRefusal(int status, const std::string& why);
  // Writes queued bytes as the socket takes them; false when the client is gone.
  bool flush();
  // Writes every queued byte, waiting on the socket; false when it cannot.
  bool flushWaiting();
  void serveOnWorker(std::shared_ptr<ParsedRequest> request, bool keep_alive);
  void handBack();
  void setDeadline(Clock::time_point when);
  void updateDeadline();
  void setInterest(bool read, bool write);
  // From a thread other than the event thread (the acceptor's, a worker's),
  // which must not touch the connection once this returns.
  void handToEventThread(bool write);
  void startClosing();
  void destroy();
  std::size_t pendingOutput() const { return out_.size(); }

  Poco::Net::StreamSocket socket_;
  EventReactor& reactor_;
  std::unique_ptr<Channel> channel_;
  std::string client_host_;
  RequestParser parser_;
  Phase phase_ = Phase::kHandshake;
  std::atomic<bool> away_{false};
  std::atomic<Clock::rep> deadline_{0};

  OutputQueue out_;
  Clock::time_point last_progress_{};
  Clock::time_point request_started_{};
  Clock::time_point body_started_{};
  // Which request (by served_) request_started_ and body_started_ belong to.
  static constexpr std::size_t kNone = std::size_t(-1);
  std::size_t started_for_ = kNone;
  std::size_t body_for_ = kNone;
  std::size_t served_ = 0;
  std::size_t lingered_bytes_ = 0;

  bool reading_ = false;  // the reactor's interest, as last set
  bool writing_ = false;
  bool read_wants_write_ = false;  // a TLS read that must write first
  bool write_wants_read_ = false;  // a TLS write that must read first
  bool peer_closed_ = false;
  bool close_after_flush_ = false;
  bool broken_ = false;
  bool blocking_ = false;  // a worker owns it: writes wait on the socket
};

}  // namespace keydir
