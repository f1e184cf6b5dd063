#include "tests/support/raw_socket.h"

#include <Poco/Net/SocketAddress.h>

#include <stdexcept>

namespace keydir::testing {

Poco::Net::StreamSocket connectTo(int port, int receive_timeout_seconds) {
  Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", Poco::UInt16(port)));
  socket.setReceiveTimeout(Poco::Timespan(receive_timeout_seconds, 0));
  return socket;
}

void sendText(Poco::Net::StreamSocket& socket, const std::string& text) {
  std::size_t sent = 0;
  while (sent < text.size()) {
    int now = socket.sendBytes(text.data() + sent, int(text.size() - sent));
    if (now <= 0) throw std::runtime_error("the server closed the connection while we sent");
    sent += std::size_t(now);
  }
}

std::string readUntilClosed(Poco::Net::StreamSocket& socket) {
  std::string received;
  char buffer[4096];
  try {
    for (;;) {
      int n = socket.receiveBytes(buffer, sizeof buffer);
      if (n <= 0) return received;
      received.append(buffer, std::size_t(n));
    }
  } catch (const Poco::Exception&) {
    return received;  // a reset or the timeout: what came is what there is
  }
}

std::string readAnswer(Poco::Net::StreamSocket& socket) {
  std::string received;
  char buffer[4096];
  for (;;) {
    const std::size_t head_end = received.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      std::size_t length = 0;
      const std::size_t at = received.find("Content-Length: ");
      if (at != std::string::npos && at < head_end) length = std::stoul(received.substr(at + 16));
      if (received.size() >= head_end + 4 + length) return received;
    }
    int n = socket.receiveBytes(buffer, sizeof buffer);
    if (n <= 0) return received;
    received.append(buffer, std::size_t(n));
  }
}

std::size_t countOf(const std::string& text, const std::string& what) {
  std::size_t found = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++found;
  return found;
}

}  // namespace keydir::testing
