// How the directory treats a client connection (directory/listening_socket.h):
// pipelined and keep-alive requests, idle connections closed, the client's
// address in the access log, and open connections let go when the server stops.

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include "tests/directory/directory_server_fixture.h"
#include "tests/support/temp_dir.h"

namespace keydir {
namespace {

class ConnectionTest : public testing::DirectoryServerTest {
 protected:
  Poco::Net::StreamSocket connect() {
    Poco::Net::StreamSocket socket(
        Poco::Net::SocketAddress("127.0.0.1", Poco::UInt16(server_->port())));
    // Generous: the server, not this timeout, is expected to end each wait.
    socket.setReceiveTimeout(Poco::Timespan(20, 0));
    return socket;
  }

  static void sendText(Poco::Net::StreamSocket& socket, const std::string& text) {
    ASSERT_EQ(socket.sendBytes(text.data(), int(text.size())), int(text.size()));
  }

  // Everything the server sends until it closes the connection.
  static std::string readUntilClosed(Poco::Net::StreamSocket& socket) {
    std::string received;
    char buffer[4096];
    for (;;) {
      int n = socket.receiveBytes(buffer, sizeof buffer);
      if (n <= 0) return received;
      received.append(buffer, std::size_t(n));
    }
  }

  static std::size_t count(const std::string& text, const std::string& what) {
    std::size_t found = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++found;
    return found;
  }

  static constexpr const char* kHealth =
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n";
};

TEST_F(ConnectionTest, PipelinedRequestsAreAllAnswered) {
  startServer();
  auto socket = connect();
  // Three requests in one write: the second and third wait in the server's
  // buffer, not on the socket, when the first is answered.
  sendText(socket, std::string(kHealth) + kHealth +
                       "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  std::string answers = readUntilClosed(socket);
  EXPECT_EQ(count(answers, "HTTP/1.1 200"), 3u) << answers;
}

TEST_F(ConnectionTest, IdleKeepAliveConnectionIsClosedAfterTheTimeout) {
  config_.keep_alive_timeout_seconds = 1;
  startServer();
  auto socket = connect();
  sendText(socket, kHealth);
  // The answer, then nothing more: the server closes once idle for 1 s.
  std::string answers = readUntilClosed(socket);
  EXPECT_EQ(count(answers, "HTTP/1.1 200"), 1u) << answers;
}

TEST_F(ConnectionTest, KeepAliveConnectionServesRequestsOneAfterAnother) {
  startServer();
  auto socket = connect();
  char buffer[4096];
  for (int i = 0; i < 5; ++i) {
    sendText(socket, kHealth);
    int n = socket.receiveBytes(buffer, sizeof buffer);
    ASSERT_GT(n, 0);
    EXPECT_EQ(std::string(buffer, std::size_t(n)).rfind("HTTP/1.1 200", 0), 0u);
  }
}

TEST_F(ConnectionTest, StoppingTheServerClosesIdleConnections) {
  config_.keep_alive_timeout_seconds = 600;
  startServer();
  auto socket = connect();
  char buffer[4096];
  sendText(socket, kHealth);
  ASSERT_GT(socket.receiveBytes(buffer, sizeof buffer), 0);
  // The connection now waits for a next request that never comes; stopping
  // must not wait out the keep-alive timeout.
  stopServer();
  EXPECT_EQ(readUntilClosed(socket), "");
}

TEST_F(ConnectionTest, AccessLogNamesTheClientAddress) {
  startServer();
  get("/healthz");
  get("/healthz");
  stopServer();
  std::string log = testing::readText(dir_ / "access.log");
  EXPECT_EQ(count(log, R"("client":"127.0.0.1)"), 2u) << log;
}

}  // namespace
}  // namespace keydir
