// How the directory treats a client connection (directory/listening_socket.h):
// pipelined and keep-alive requests, idle connections closed, the client's
// address in the access log, and open connections let go when the server stops.

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include "tests/directory/directory_server_fixture.h"
#include "tests/support/raw_socket.h"
#include "tests/support/temp_dir.h"

namespace keydir {
namespace {

using testing::readUntilClosed;
using testing::sendText;

class ConnectionTest : public testing::DirectoryServerTest {
 protected:
  Poco::Net::StreamSocket connect() { return testing::connectTo(server_->port()); }

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
  EXPECT_EQ(testing::countOf(answers, "HTTP/1.1 200"), 3u) << answers;
}

TEST_F(ConnectionTest, IdleKeepAliveConnectionIsClosedAfterTheTimeout) {
  config_.keep_alive_timeout_seconds = 1;
  startServer();
  auto socket = connect();
  sendText(socket, kHealth);
  // The answer, then nothing more: the server closes once idle for 1 s.
  std::string answers = readUntilClosed(socket);
  EXPECT_EQ(testing::countOf(answers, "HTTP/1.1 200"), 1u) << answers;
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
  EXPECT_EQ(testing::countOf(log, R"("client":"127.0.0.1)"), 2u) << log;
}

}  // namespace
}  // namespace keydir
