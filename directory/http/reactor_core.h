#pragma once
// Serving without a thread per connection (issue 12). One acceptor thread
// hands each accepted connection to one of a few event threads (Poco's
// ParallelSocketAcceptor and SocketReactor, one per core); an event thread
// reads what arrived, takes whole requests out with RequestParser and
// answers lookups at once on its own SQLite connection. A route that may
// wait (Cost::kHeavy, or every lookup of a service whose lookups wait
// upstream) goes to a worker with its connection, which comes back to its
// event thread once answered. A connection that sends nothing costs a few
// hundred bytes and no thread, and each of the limits below ends one that
// holds on too long.

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketReactor.h>
#include <Poco/Thread.h>

#include <atomic>
#include <chrono>
#include <memory>

#include "directory/http/channel.h"
#include "directory/http/request_parser.h"
#include "directory/http/worker_pool.h"

namespace keydir {

struct HttpService;
class Router;

struct ReactorLimits {
  RequestLimits request;  // header bytes, header count, body bytes
  // A connection that answered and sends nothing more is closed after this.
  std::chrono::seconds keep_alive_timeout{15};
  // A request's header block must arrive whole within this of its first
  // byte (and a new connection's first request, or its TLS handshake,
  // within this of the accept); its body within body_timeout of the head.
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds body_timeout{10};
  // An answer the client does not read for this long ends the connection.
  std::chrono::seconds send_timeout{30};
  std::size_t max_requests_per_connection = 10000;
  // Past this many open connections a new one is answered 503 and closed
  // (plain HTTP) or closed (TLS, which would cost a handshake to refuse).
  std::size_t max_connections = 16384;
};

class ReactorCore {
 public:
  // `socket` is bound and listening; `tls` null serves plain HTTP.
  ReactorCore(Poco::Net::ServerSocket socket, std::shared_ptr<TlsServerContext> tls, Router& router,
              HttpService& service, ReactorLimits limits, unsigned event_threads,
              std::size_t worker_threads);
  ~ReactorCore();
  ReactorCore(const ReactorCore&) = delete;

  void start();
  // Stops accepting, lets workers finish (a blocked send gives up at once),
  // and closes every connection.
  void stop();

  Router& router() { return router_; }
  HttpService& service() { return service_; }
  const ReactorLimits& limits() const { return limits_; }
  WorkerPool& workers() { return workers_; }
  const TlsServerContext* tls() const { return tls_.get(); }
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }

  // Counts an accepted connection in; false past max_connections.
  bool admit();
  void release() { open_.fetch_sub(1, std::memory_order_relaxed); }
  std::size_t openConnections() const { return open_.load(std::memory_order_relaxed); }

 private:
  class Acceptor;

  Poco::Net::ServerSocket socket_;
  std::shared_ptr<TlsServerContext> tls_;
  Router& router_;
  HttpService& service_;
  ReactorLimits limits_;
  unsigned event_threads_;
  WorkerPool workers_;
  Poco::Net::SocketReactor accept_reactor_;
  Poco::Thread accept_thread_;
  std::unique_ptr<Acceptor> acceptor_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> open_{0};
  bool running_ = false;
};

}  // namespace keydir
