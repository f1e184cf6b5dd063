#include "directory/http/listening_socket.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocketImpl.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <optional>

namespace keydir {
namespace {

class ConnectionSocketImpl : public Poco::Net::StreamSocketImpl {
 public:
  ConnectionSocketImpl(poco_socket_t fd, const Poco::Net::SocketAddress& peer)
      : StreamSocketImpl(fd), peer_(peer) {}

  Poco::Net::SocketAddress peerAddress() override { return peer_; }

  Poco::Net::SocketAddress address() override {
    if (!local_) local_ = StreamSocketImpl::address();
    return *local_;
  }

  bool poll(const Poco::Timespan& timeout, int mode) override {
    pollfd watched{sockfd(), 0, 0};
    if (mode & SELECT_READ) watched.events |= POLLIN;
    if (mode & SELECT_WRITE) watched.events |= POLLOUT;
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::microseconds(timeout.totalMicroseconds());
    for (;;) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      int ready = ::poll(&watched, 1, int(std::max<std::int64_t>(0, left.count())));
      if (ready >= 0) {
        // An error or hang-up is reported as ready: the read or write that
        // follows surfaces it, as with Poco's own poll.
        return ready > 0 && (watched.revents & (watched.events | POLLERR | POLLHUP)) != 0;
      }
      if (errno != EINTR) error();
    }
  }

 private:
  Poco::Net::SocketAddress peer_;
  std::optional<Poco::Net::SocketAddress> local_;
};

class ListeningSocketImpl : public Poco::Net::ServerSocketImpl {
 public:
  Poco::Net::SocketImpl* acceptConnection(Poco::Net::SocketAddress& client) override {
    if (sockfd() == POCO_INVALID_SOCKET) throw Poco::Net::InvalidSocketException();
    sockaddr_storage peer{};
    for (;;) {
      socklen_t length = sizeof peer;
      poco_socket_t fd = ::accept(sockfd(), reinterpret_cast<sockaddr*>(&peer), &length);
      if (fd != POCO_INVALID_SOCKET) {
        client = Poco::Net::SocketAddress(reinterpret_cast<const sockaddr*>(&peer), length);
        return new ConnectionSocketImpl(fd, client);
      }
      if (errno != EINTR) error();
    }
  }
};

}  // namespace

ListeningSocket::ListeningSocket() : ServerSocket(new ListeningSocketImpl, true) {}

}  // namespace keydir
