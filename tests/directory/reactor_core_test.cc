// The reactor core's promises, byte by byte on real sockets: pipelined
// requests answered in order across event thread and workers, partial
// heads waited for, each deadline and size limit answered with a problem,
// keep-alive and connection limits, clients that vanish, and a thousand
// idle or half-finished connections (plain and TLS) that starve no one.

#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/directory/directory_server_fixture.h"
#include "tests/support/raw_socket.h"

namespace keydir {
namespace {

using testing::countOf;
using testing::readAnswer;
using testing::readUntilClosed;
using testing::sendText;

constexpr const char* kHealth = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
constexpr const char* kHealthThenClose =
    "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

class ReactorCoreTest : public testing::DirectoryServerTest {
 protected:
  Poco::Net::StreamSocket connect() { return testing::connectTo(server_->port()); }

  // The JSON body of the last answer in `received`.
  static nlohmann::json lastBody(const std::string& received) {
    return nlohmann::json::parse(received.substr(received.rfind("\r\n\r\n") + 4), nullptr, false);
  }

  // Checks that the server still answers a fresh client.
  void expectServing() {
    HttpAnswer answer = get("/healthz");
    EXPECT_EQ(answer.status, 200) << answer.body;
  }
};

TEST_F(ReactorCoreTest, PipelinedRequestsAreAnsweredInOrderAcrossWorkers) {
  startServer();
  auto socket = connect();
  // The registration goes to a worker; the lookups around it stay on the
  // event thread; the answers must still come in the order asked.
  const std::string bad_registration =
      "POST /v1/keys HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: 8\r\n\r\nnot json";
  sendText(socket, std::string(kHealth) + bad_registration +
                       "GET /v1/nothing-here HTTP/1.1\r\nHost: x\r\n\r\n" + kHealthThenClose);
  std::string answers = readUntilClosed(socket);
  const std::size_t first = answers.find("HTTP/1.1 200");
  const std::size_t second = answers.find("HTTP/1.1 400");
  const std::size_t third = answers.find("HTTP/1.1 404");
  const std::size_t fourth = answers.rfind("HTTP/1.1 200");
  ASSERT_NE(second, std::string::npos) << answers;
  ASSERT_NE(third, std::string::npos) << answers;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
  EXPECT_LT(third, fourth);
  EXPECT_EQ(countOf(answers, "HTTP/1.1 "), 4u) << answers;
}

TEST_F(ReactorCoreTest, APartialHeadWaitsForTheRest) {
  startServer();
  auto socket = connect();
  sendText(socket, "GET /heal");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  sendText(socket, "thz HTTP/1.1\r\nHo");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  sendText(socket, "st: 127.0.0.1\r\n\r\n");
  std::string answer = readAnswer(socket);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
}

TEST_F(ReactorCoreTest, AHeadThatDoesNotArriveInTimeIsAnswered408AndClosed) {
  config_.header_timeout_seconds = 1;
  startServer();
  auto socket = connect();
  sendText(socket, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");  // no blank line
  std::string answer = readUntilClosed(socket);
  EXPECT_EQ(answer.rfind("HTTP/1.1 408 ", 0), 0u) << answer;
  EXPECT_NE(answer.find("Content-Type: application/problem+json"), std::string::npos) << answer;
  nlohmann::json problem = lastBody(answer);
  EXPECT_EQ(problem["status"], 408);
  EXPECT_EQ(problem["type"], "https://keydir.example/problems/malformed");
  EXPECT_NE(problem["detail"].get<std::string>().find("header block did not arrive within 1 s"),
            std::string::npos)
      << problem;
  expectServing();
}

TEST_F(ReactorCoreTest, ASlowlorisSendingAByteAtATimeIsStillCutAtTheHeadDeadline) {
  config_.header_timeout_seconds = 1;
  startServer();
  auto socket = connect();
  // Each byte resets no clock: the deadline runs from the first.
  const std::string head = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaa";
  std::string answer;
  for (char c : head) {
    try {
      sendText(socket, std::string(1, c));
    } catch (const std::exception&) {
      break;  // cut off: what matters is what it was told
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  answer = readUntilClosed(socket);
  EXPECT_EQ(answer.rfind("HTTP/1.1 408 ", 0), 0u) << answer;
}

TEST_F(ReactorCoreTest, ABodyThatDoesNotArriveInTimeIsAnswered408) {
  config_.body_timeout_seconds = 1;
  startServer();
  auto socket = connect();
  sendText(socket,
           "POST /v1/keys HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"cred");
  std::string answer = readUntilClosed(socket);
  EXPECT_EQ(answer.rfind("HTTP/1.1 408 ", 0), 0u) << answer;
  EXPECT_NE(lastBody(answer)["detail"].get<std::string>().find("body did not arrive within 1 s"),
            std::string::npos)
      << answer;
}

TEST_F(ReactorCoreTest, OversizeHeadersAreAProblem431) {
  config_.max_header_bytes = 2048;
  startServer();
  auto socket = connect();
  sendText(socket, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(4000, 'a') +
                       "\r\n\r\n");
  std::string answer = readUntilClosed(socket);
  EXPECT_EQ(answer.rfind("HTTP/1.1 431 ", 0), 0u) << answer;
  nlohmann::json problem = lastBody(answer);
  EXPECT_EQ(problem["type"], "https://keydir.example/problems/payload-too-large");
  EXPECT_NE(problem["detail"].get<std::string>().find("over 2048"), std::string::npos) << problem;
  expectServing();
}

TEST_F(ReactorCoreTest, TooManyHeaderFieldsAreAProblem431) {
  config_.max_headers = 10;
  startServer();
  auto socket = connect();
  std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (int i = 0; i < 20; ++i) request += "X-" + std::to_string(i) + ": 1\r\n";
  sendText(socket, request + "\r\n");
  std::string answer = readUntilClosed(socket);
  EXPECT_EQ(answer.rfind("HTTP/1.1 431 ", 0), 0u) << answer;
  EXPECT_NE(lastBody(answer)["detail"].get<std::string>().find("21 header fields, over 10"),
            std::string::npos)
      << answer;
}

TEST_F(ReactorCoreTest, AChunkedRequestBodyReachesTheRouteDecoded) {
  startServer();
  auto socket = connect();
  // The body `{}` in two chunks: the route reads it as JSON and finds no
  // credential, which it can only say once it has the decoded body.
  sendText(socket,
           "POST /v1/keys HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n1\r\n{\r\n1\r\n}\r\n0\r\n\r\n");
  std::string answer = readUntilClosed(socket);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 ", 0), 0u) << answer;
  EXPECT_NE(lastBody(answer)["detail"].get<std::string>().find("dc"), std::string::npos) << answer;
}

TEST_F(ReactorCoreTest, ABadChunkIsRefused400AndTheConnectionCloses) {
  startServer();
  auto socket = connect();
  sendText(socket,
           "POST /v1/keys HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
           "2\r\n{}}\r\n0\r\n\r\n");
  std::string answer = readUntilClosed(socket);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 ", 0), 0u) << answer;
  EXPECT_NE(answer.find("application/problem+json"), std::string::npos);
  EXPECT_NE(answer.find("longer than its size says"), std::string::npos) << answer;
}

TEST_F(ReactorCoreTest, ExpectContinueGetsA100BeforeTheBodyIsSent) {
  startServer();
  auto socket = connect();
  sendText(socket,
           "POST /v1/keys HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n");
  char buffer[256];
  int n = socket.receiveBytes(buffer, sizeof buffer);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buffer, std::size_t(n)), "HTTP/1.1 100 Continue\r\n\r\n");
  sendText(socket, "{}");
  std::string answer = readAnswer(socket);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 ", 0), 0u) << answer;  // {} registers nothing
}

TEST_F(ReactorCoreTest, AConnectionServesAtMostMaxKeepAliveRequests) {
  config_.max_keep_alive_requests = 3;
  startServer();
  auto socket = connect();
  sendText(socket, std::string(kHealth) + kHealth + kHealth + kHealth + kHealth);
  std::string answers = readUntilClosed(socket);
  EXPECT_EQ(countOf(answers, "HTTP/1.1 200"), 3u) << answers;
  EXPECT_EQ(countOf(answers, "Connection: close"), 1u) << answers;
}

TEST_F(ReactorCoreTest, Http10IsAnsweredAndClosedUnlessItAsksToKeepAlive) {
  startServer();
  auto closing = connect();
  sendText(closing, "GET /healthz HTTP/1.0\r\n\r\n");
  std::string answer = readUntilClosed(closing);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;

  auto keeping = connect();
  sendText(keeping, "GET /healthz HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
  answer = readAnswer(keeping);
  EXPECT_NE(answer.find("Connection: Keep-Alive"), std::string::npos) << answer;
  sendText(keeping, "GET /healthz HTTP/1.0\r\n\r\n");
  EXPECT_EQ(readUntilClosed(keeping).rfind("HTTP/1.1 200", 0), 0u);
}

TEST_F(ReactorCoreTest, AClientThatVanishesMidRequestOrMidAnswerLeavesTheServerServing) {
  startServer();
  for (int i = 0; i < 20; ++i) {
    auto half = connect();
    sendText(half, "POST /v1/keys HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"a\":");
    half.close();
    auto leaving = connect();
    sendText(leaving, "GET /v1/snapshot HTTP/1.1\r\nHost: x\r\n\r\n");
    leaving.close();
    auto resetting = connect();
    sendText(resetting, std::string(kHealth) + kHealth);
    resetting.setLinger(true, 0);  // a reset, not a close
    resetting.close();
  }
  expectServing();
  EXPECT_EQ(get("/v1/snapshot").status, 200);
}

TEST_F(ReactorCoreTest, PastMaxConnectionsANewConnectionIsRefused503) {
  config_.max_connections = 5;
  startServer();
  std::vector<Poco::Net::StreamSocket> held;
  for (int i = 0; i < 5; ++i) {
    held.push_back(connect());
    sendText(held.back(), kHealth);
    readAnswer(held.back());  // accepted and served: counted
  }
  auto refused = connect();
  std::string answer = readUntilClosed(refused);
  EXPECT_EQ(answer.rfind("HTTP/1.1 503 ", 0), 0u) << answer;
  EXPECT_NE(answer.find("Retry-After: 1"), std::string::npos);
  EXPECT_NE(lastBody(answer)["detail"].get<std::string>().find("limit of 5 connections"),
            std::string::npos)
      << answer;
  held.clear();
  // Closed connections free their places.
  std::string again;
  for (int attempt = 0; attempt < 50; ++attempt) {
    auto socket = connect();
    sendText(socket, kHealthThenClose);
    again = readUntilClosed(socket);
    if (again.rfind("HTTP/1.1 200", 0) == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(again.rfind("HTTP/1.1 200", 0), 0u) << again;
}

// A connection can be served and closed by its event thread before the
// thread that accepted it is done handing it over: the acceptor must not
// touch it after that moment (a use after free the sanitizer build found).
TEST_F(ReactorCoreTest, ConnectionsAnsweredAndClosedTheMomentTheyAreAcceptedLeaveNoTrace) {
  startServer();
  std::vector<std::thread> clients;
  std::atomic<int> answered{0};
  for (int client = 0; client < 4; ++client) {
    clients.emplace_back([&] {
      for (int i = 0; i < 300; ++i) {
        auto socket = connect();
        sendText(socket, kHealthThenClose);
        if (readUntilClosed(socket).rfind("HTTP/1.1 200", 0) == 0) ++answered;
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(answered.load(), 1200);
  expectServing();
}

// A thousand connections that send nothing, and a thousand that sent half
// a head, hold no thread: a new client is served as if they were not there.
TEST_F(ReactorCoreTest, TwoThousandIdleAndHalfFinishedConnectionsStarveNoOne) {
  startServer();
  std::vector<Poco::Net::StreamSocket> idle;
  for (int i = 0; i < 1000; ++i) idle.push_back(connect());
  for (int i = 0; i < 1000; ++i) {
    idle.push_back(connect());
    sendText(idle.back(), "GET /healthz HTTP/1.1\r\nHost: 1");
  }
  // Served while they wait: by the old core, not within 10 s.
  std::string id = registered(pki_->acme);
  EXPECT_EQ(idsFor("12025550150"), std::vector<std::string>{id});
  expectServing();
  // And the idle ones are still open, served once they speak.
  sendText(idle.front(), kHealth);
  EXPECT_EQ(readAnswer(idle.front()).rfind("HTTP/1.1 200", 0), 0u);
}

TEST_F(ReactorCoreTest, StatusLinesCarryTheirOwnReasonPhrases) {
  startServer();
  auto socket = connect();
  sendText(socket, "GET /v1/nothing HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(readAnswer(socket).rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u);
  sendText(socket, "DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(readAnswer(socket).rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0), 0u);
  sendText(socket, "GARBAGE\r\n\r\n");
  std::string answer = readUntilClosed(socket);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << answer;
  EXPECT_EQ(answer.find("GARBAGE"), std::string::npos) << answer;  // nothing echoed
}

TEST_F(ReactorCoreTest, PathsThatAreNotUtf8AreAClientErrorNotAnOutage) {
  startServer();
  for (const std::string path : {"/v1/tns/%ff/keys", "/v1/tns/%ff/cps", "/v1/keys/%ff",
                                 "/v1/certs/%ff", "/v1/%ff/nothing"}) {
    HttpAnswer answer = get(path);
    EXPECT_GE(answer.status, 400) << path << " " << answer.body;
    EXPECT_LT(answer.status, 500) << path << " " << answer.body;
    EXPECT_FALSE(nlohmann::json::parse(answer.body, nullptr, false).is_discarded())
        << path << " " << answer.body;
  }
}

TEST_F(ReactorCoreTest, AccessLogLinesStayJsonWhateverBytesThePathHolds) {
  startServer();
  auto socket = connect();
  // Raw bytes that are not UTF-8 in the request line, and their escapes.
  sendText(socket, "GET /v1/tns/\xff\xfe/keys HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(readAnswer(socket).rfind("HTTP/1.1 400", 0), 0u);
  sendText(socket, "GET /v1/keys/%ff%c0 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(readAnswer(socket).rfind("HTTP/1.1 4", 0), 0u);
  stopServer();
  std::istringstream log(testing::readText(dir_ / "access.log"));
  int lines = 0;
  for (std::string line; std::getline(log, line); ++lines) {
    auto entry = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(entry.is_discarded()) << line;
    EXPECT_TRUE(entry["path"].is_string()) << line;
  }
  EXPECT_EQ(lines, 2);
}

class ReactorCoreTlsTest : public ReactorCoreTest {
 protected:
  void SetUp() override {
    ReactorCoreTest::SetUp();
    useTls();
  }
};

TEST_F(ReactorCoreTlsTest, AThousandIdleAndHalfHandshakenTlsConnectionsStarveNoOne) {
  startServer();
  std::vector<Poco::Net::StreamSocket> idle;
  for (int i = 0; i < 500; ++i) idle.push_back(connect());
  // The first bytes of a TLS record, and then nothing: a handshake begun.
  const std::string hello_start("\x16\x03\x01\x02\x00\x01", 6);
  for (int i = 0; i < 500; ++i) {
    idle.push_back(connect());
    sendText(idle.back(), hello_start);
  }
  std::string id = registered(pki_->acme);
  EXPECT_EQ(idsFor("12025550150"), std::vector<std::string>{id});
  expectServing();
}

TEST_F(ReactorCoreTlsTest, AHandshakeThatDoesNotFinishInTimeIsClosed) {
  config_.header_timeout_seconds = 1;
  startServer();
  auto socket = connect();
  sendText(socket, std::string("\x16\x03\x01\x02\x00\x01", 6));
  EXPECT_EQ(readUntilClosed(socket), "");
  expectServing();
}

TEST_F(ReactorCoreTlsTest, PipelinedRequestsOverTlsAreAllAnswered) {
  startServer();
  std::string output;
  // openssl s_client writes the three requests in one go and prints what
  // came back until the server closes.
  int status = testing::runCommand(
      "printf 'GET /healthz HTTP/1.1\\r\\nHost: x\\r\\n\\r\\nGET /v1/meta HTTP/1.1\\r\\nHost: "
      "x\\r\\n\\r\\nGET /healthz HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n' | "
      "openssl s_client -quiet -connect 127.0.0.1:" +
          std::to_string(server_->port()) + " 2>/dev/null",
      &output);
  EXPECT_EQ(status, 0) << output;
  EXPECT_EQ(countOf(output, "HTTP/1.1 200"), 3u) << output;
}

}  // namespace
}  // namespace keydir
