#include "directory/http/reactor_core.h"

#include <Poco/Net/ParallelSocketAcceptor.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <iostream>

#include "directory/http/event_reactor.h"
#include "directory/http/http_connection.h"
#include "directory/http/http_service.h"
#include "directory/http/problem.h"
#include "directory/http/router.h"

namespace keydir {
namespace {

// File descriptors the process keeps for everything but connections:
// SQLite files, logs, upstream connections, the listening socket.
constexpr std::size_t kReservedFiles = 256;

// Raises the soft limit on open files to the hard one and returns what
// connections it leaves room for.
std::size_t connectionsTheFileLimitAllows() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024 - kReservedFiles;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur > kReservedFiles ? std::size_t(limit.rlim_cur) - kReservedFiles : 0;
}

// The whole answer to a connection past the limit, made once.
std::string overCapacityAnswer(std::size_t limit) {
  const std::string body =
      problemJson({ErrorCode::kUnavailable, "the server has its limit of " + std::to_string(limit) +
                                                " connections open; retry shortly"})
          .dump();
  return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace

class ReactorCore::Acceptor
    : public Poco::Net::ParallelSocketAcceptor<HttpConnection, EventReactor> {
 public:
  using Base = Poco::Net::ParallelSocketAcceptor<HttpConnection, EventReactor>;

  Acceptor(Poco::Net::ServerSocket& socket, Poco::Net::SocketReactor& reactor, unsigned threads,
           ReactorCore& core)
      : Base(socket, reactor, threads),
        core_(core),
        refusal_(overCapacityAnswer(core.limits_.max_connections)) {
    for (auto& event_reactor : reactors()) event_reactor->attach(core);
  }

  std::vector<EventReactor*> eventReactors() {
    std::vector<EventReactor*> all;
    for (auto& event_reactor : reactors()) all.push_back(event_reactor.get());
    return all;
  }

 protected:
  HttpConnection* createServiceHandler(Poco::Net::StreamSocket& socket) override {
    if (core_.stopping()) return nullptr;
    if (!core_.admit()) {
      refuse(socket);
      return nullptr;
    }
    try {
      return Base::createServiceHandler(socket);
    } catch (const std::exception& error) {
      core_.release();
      std::cerr << "keydir: cannot serve a new connection: " << error.what() << "\n";
      return nullptr;
    }
  }

 private:
  // One try at the answer, without waiting: a connection past the limit
  // gets no more of the server's time than that.
  void refuse(Poco::Net::StreamSocket& socket) {
    core_.service().metrics->observeRequest("refused", 503, 0);
    try {
      if (!core_.tls()) {
        socket.setBlocking(false);
        ::send(socket.impl()->sockfd(), refusal_.data(), refusal_.size(), MSG_NOSIGNAL);
        socket.shutdownSend();
      }
      socket.close();
    } catch (const std::exception&) {
      // The client left first.
    }
  }

  ReactorCore& core_;
  const std::string refusal_;
};

ReactorCore::ReactorCore(Poco::Net::ServerSocket socket, std::shared_ptr<TlsServerContext> tls,
                         Router& router, HttpService& service, ReactorLimits limits,
                         unsigned event_threads, std::size_t worker_threads)
    : socket_(std::move(socket)),
      tls_(std::move(tls)),
      router_(router),
      service_(service),
      limits_(limits),
      event_threads_(std::max(1u, event_threads)),
      workers_(std::max<std::size_t>(1, worker_threads)) {}

ReactorCore::~ReactorCore() { stop(); }

bool ReactorCore::admit() {
  if (open_.fetch_add(1, std::memory_order_relaxed) < limits_.max_connections) return true;
  open_.fetch_sub(1, std::memory_order_relaxed);
  return false;
}

void ReactorCore::start() {
  const std::size_t allowed = connectionsTheFileLimitAllows();
  if (limits_.max_connections > allowed) {
    std::cerr << "keydir: max_connections " << limits_.max_connections << " lowered to " << allowed
              << ", what the open-file limit leaves room for\n";
    limits_.max_connections = allowed;
  }
  acceptor_ = std::make_unique<Acceptor>(socket_, accept_reactor_, event_threads_, *this);
  accept_thread_.start(accept_reactor_);
  running_ = true;
}

void ReactorCore::stop() {
  if (!running_) return;
  running_ = false;
  stopping_.store(true);
  accept_reactor_.stop();
  accept_reactor_.wakeUp();
  accept_thread_.join();
  std::vector<EventReactor*> reactors = acceptor_->eventReactors();
  for (EventReactor* reactor : reactors) reactor->stopLoop();
  // A worker that finishes now closes its connection instead of handing it
  // back; then every connection left belongs to no thread.
  workers_.stop();
  for (EventReactor* reactor : reactors) {
    for (HttpConnection* connection : reactor->takeConnections()) connection->abandon();
  }
  acceptor_.reset();
}

}  // namespace keydir
