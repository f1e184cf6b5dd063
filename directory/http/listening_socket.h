#pragma once
// The plain-HTTP listening socket. Poco 1.11 waits for a keep-alive
// connection's next request through a fresh epoll instance each time
// (epoll_create, epoll_ctl, epoll_wait, close) and asks the kernel for both
// addresses of the connection on every request (getpeername, getsockname).
// Under load that was six system calls per lookup beside the one recv and
// one send that do the work. Connections accepted here wait with a single
// poll(2) and know their addresses from accept(2) onwards.
// TLS connections are accepted by NetSSL's own socket and keep Poco's way.

#include <Poco/Net/ServerSocket.h>

namespace keydir {

class ListeningSocket : public Poco::Net::ServerSocket {
 public:
  ListeningSocket();
};

}  // namespace keydir
