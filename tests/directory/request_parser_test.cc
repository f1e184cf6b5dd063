// The request parser a reactor core feeds: whole requests out of whatever
// bytes arrived, in order, and a clear refusal for what must not be served.

#include "directory/http/request_parser.h"

#include <Poco/String.h>
#include <gtest/gtest.h>

#include <vector>

namespace keydir {
namespace {

TEST(RequestParserTest, AHeaderBlockArrivingInPiecesWaitsUntilItIsWhole) {
  RequestParser parser;
  const std::string request = "GET /v1/tns/12025550150/keys HTTP/1.1\r\nHost: x\r\n\r\n";
  for (std::size_t i = 0; i + 1 < request.size(); ++i) {
    parser.feed(request.substr(i, 1));
    EXPECT_FALSE(parser.next()) << "after " << i + 1 << " bytes";
    EXPECT_TRUE(parser.midRequest());
  }
  parser.feed(request.substr(request.size() - 1));
  auto parsed = parser.next();
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->head.getMethod(), "GET");
  EXPECT_EQ(parsed->head.getURI(), "/v1/tns/12025550150/keys");
  EXPECT_EQ(parsed->head.get("Host"), "x");
  EXPECT_TRUE(parsed->head.getKeepAlive());
  EXPECT_FALSE(parser.midRequest());
  EXPECT_FALSE(parser.refusal());
}

TEST(RequestParserTest, PipelinedRequestsComeOutInOrderWithTheirBodies) {
  RequestParser parser;
  parser.feed(
      "POST /v1/keys HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
      "GET /healthz HTTP/1.1\r\n\r\n"
      "POST /v1/advertisements HTTP/1.1\r\nContent-Length: 3\r\n\r\nab");
  auto first = parser.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->head.getURI(), "/v1/keys");
  EXPECT_EQ(first->body, "hello");
  auto second = parser.next();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->head.getURI(), "/healthz");
  EXPECT_EQ(second->body, "");
  EXPECT_FALSE(parser.next()) << "the third body has 2 of its 3 bytes";
  EXPECT_TRUE(parser.midRequest());
  parser.feed("c");
  auto third = parser.next();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->body, "abc");
  EXPECT_FALSE(parser.next());
  EXPECT_FALSE(parser.midRequest());
}

// The head is read as RFC 9112 reads it: blanks around a value are not
// part of it, a field named twice is kept twice, runs of blanks separate
// the request line's words, and a value is taken as it is.
TEST(RequestParserTest, TheHeadIsReadAsTheRfcReadsIt) {
  RequestParser parser;
  parser.feed(
      "PUT  /a?b=c \t HTTP/1.0\r\nX-One: \t  spaced value \t\r\nX-Empty:\r\n"
      "x-two:a\r\nX-Two: b\r\nX-Word: =?utf-8?q?not_decoded?=\r\n\r\n");
  auto parsed = parser.next();
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->head.getMethod(), "PUT");
  EXPECT_EQ(parsed->head.getURI(), "/a?b=c");
  EXPECT_EQ(parsed->head.getVersion(), "HTTP/1.0");
  EXPECT_EQ(parsed->head.get("X-One"), "spaced value");
  EXPECT_EQ(parsed->head.get("X-Empty"), "");
  std::vector<std::string> twos;
  for (const auto& [name, value] : parsed->head) {
    if (Poco::icompare(name, "x-two") == 0) twos.push_back(value);
  }
  EXPECT_EQ(twos, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(parsed->head.get("X-Word"), "=?utf-8?q?not_decoded?=");
}

TEST(RequestParserTest, ALongKeepAliveConnectionDoesNotGrowTheBuffer) {
  RequestParser parser;
  for (int i = 0; i < 10000; ++i) {
    parser.feed("GET /healthz HTTP/1.1\r\n\r\n");
    ASSERT_TRUE(parser.next());
  }
  EXPECT_FALSE(parser.midRequest());
}

TEST(RequestParserTest, AChunkedBodyArrivingByteByByteIsDecodedWithExtensionsAndTrailers) {
  RequestParser parser;
  const std::string request =
      "POST /cps/12025550150/ppts HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n"
      "5;name=value ; other\r\nhello\r\n"
      "0006\r\n world\r\n"
      "0;last\r\nChecksum: abc\r\n\r\n"
      "GET /healthz HTTP/1.1\r\n\r\n";
  std::optional<ParsedRequest> parsed;
  std::size_t fed = 0;
  while (!parsed && fed < request.size()) {
    parser.feed(request.substr(fed++, 1));
    parsed = parser.next();
    ASSERT_FALSE(parser.refusal()) << parser.refusal()->why;
  }
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->body, "hello world");
  EXPECT_EQ(parsed->head.getContentLength64(), 11) << "the decoded length, for what follows";
  EXPECT_FALSE(parsed->head.has("Transfer-Encoding"));
  EXPECT_EQ(request.substr(fed), "GET /healthz HTTP/1.1\r\n\r\n") << "the trailer ended the body";
  parser.feed(request.substr(fed));
  auto next = parser.next();
  ASSERT_TRUE(next) << "a request pipelined after a chunked one";
  EXPECT_EQ(next->head.getURI(), "/healthz");
}

TEST(RequestParserTest, AChunkedBodyWaitsForItsDeadlineAndMayAskToContinue) {
  RequestParser parser;
  parser.feed("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_FALSE(parser.next());
  EXPECT_TRUE(parser.awaitingBody());
  EXPECT_TRUE(parser.takeContinue());
  EXPECT_FALSE(parser.takeContinue()) << "100 is sent once";
  parser.feed("3\r\nabc\r\n");
  EXPECT_FALSE(parser.next());
  EXPECT_TRUE(parser.awaitingBody());
  parser.feed("0\r\n\r\n");
  auto parsed = parser.next();
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->body, "abc");
  EXPECT_FALSE(parser.midRequest());
}

TEST(RequestParserTest, AnEmptyChunkedBodyIsAnEmptyBody) {
  RequestParser parser;
  parser.feed("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  auto parsed = parser.next();
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->body, "");
  EXPECT_EQ(parsed->head.getContentLength64(), 0);
}

TEST(RequestParserTest, ConnectionCloseAndHttp10AreKeptApart) {
  RequestParser parser;
  parser.feed("GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET / HTTP/1.0\r\n\r\n");
  EXPECT_FALSE(parser.next()->head.getKeepAlive());
  EXPECT_FALSE(parser.next()->head.getKeepAlive()) << "HTTP/1.0 closes unless asked";
}

struct Refused {
  std::string bytes;
  int status;
  std::string says;
};

class RequestParserRefusal : public ::testing::TestWithParam<Refused> {};

TEST_P(RequestParserRefusal, AnswersItsStatusSaysWhyAndStaysRefused) {
  RequestLimits limits;
  limits.max_header_bytes = 1024;
  limits.max_headers = 8;
  limits.max_body_bytes = 100;
  RequestParser parser(limits);
  parser.feed(GetParam().bytes);
  EXPECT_FALSE(parser.next());
  ASSERT_TRUE(parser.refusal());
  EXPECT_EQ(parser.refusal()->status, GetParam().status);
  EXPECT_NE(parser.refusal()->why.find(GetParam().says), std::string::npos)
      << parser.refusal()->why;
  parser.feed("GET / HTTP/1.1\r\n\r\n");
  EXPECT_FALSE(parser.next()) << "nothing after a refusal is trusted to start a request";
}

std::string manyHeaders(int count) {
  std::string request = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < count; ++i) request += "X-" + std::to_string(i) + ": v\r\n";
  return request + "\r\n";
}

INSTANTIATE_TEST_SUITE_P(
    EachRefusal, RequestParserRefusal,
    ::testing::Values(
        Refused{"GET / HTTP/1.1\r\nX: " + std::string(2000, 'a') + "\r\n\r\n", 431,
                "header block is"},
        Refused{"GET / HTTP/1.1\r\nX: " + std::string(2000, 'a'), 431,
                "header block is over 1024 bytes"},
        Refused{manyHeaders(9), 431, "9 header fields, over 8"},
        Refused{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400,
                "both Content-Length and Transfer-Encoding"},
        Refused{"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
                "HTTP/1.0 request cannot carry Transfer-Encoding"},
        Refused{"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 400, "must end in chunked"},
        Refused{"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501,
                "'gzip' is not implemented"},
        Refused{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "size in hex"},
        Refused{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", 400,
                "longer than its size says"},
        Refused{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n", 400,
                "';' extensions"},
        Refused{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\x01\r\nhello\r\n", 400,
                "';' extensions"},
        Refused{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n", 413,
                "over the limit of 100"},
        // Two chunks under the limit each, over it together: decoded bytes count.
        Refused{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n" +
                    std::string(50, 'a') + "\r\n33\r\n",
                413, "over the limit of 100"},
        Refused{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;" + std::string(1200, 'e'),
                431, "chunk lines and trailers are over 1024"},
        Refused{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(1100, '0') +
                    "5\r\nhello\r\n",
                431, "chunk lines and trailers are over 1024"},
        Refused{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nNot a field\r\n\r\n",
                400, "trailer line"},
        Refused{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nA: 1\r\nB: 2\r\n\r\n"
                "0\r\nT1: 1\r\nT2: 2\r\nT3: 3\r\nT4: 4\r\nT5: 5\r\nT6: 6\r\nT7: 7\r\n\r\n",
                431, "9 header and trailer fields, over 8"},
        Refused{"POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n", 413, "over the limit of 100"},
        Refused{"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, "not a whole number"},
        Refused{"POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 400, "not a whole number"},
        Refused{"GET / HTTP/2.0\r\n\r\n", 505, "not served"},
        Refused{"NOT A REQUEST\r\n\r\n", 400, "does not parse"},
        Refused{"GET / HTTP/1.1\r\nNo colon here\r\n\r\n", 400, "does not parse"},
        // A space before the colon has smuggled requests past proxies.
        Refused{"GET / HTTP/1.1\r\nContent-Length : 5\r\n\r\nhello", 400, "'name: value'"},
        // Found by the router fuzz target: a method with a NUL and a '%'.
        Refused{std::string("DELE\0% /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 37), 400,
                "method is not a token"},
        Refused{"GE\"T / HTTP/1.1\r\n\r\n", 400, "method is not a token"},
        // A bare LF or CR ends a line for one reader and not for another.
        Refused{"GET / HTTP/1.1\r\nX-A: 1\nContent-Length: 5\r\n\r\nhello", 400, "'name: value'"},
        Refused{"GET / HTTP/1.1\r\nX-A: 1\rX-B: 2\r\n\r\n", 400, "'name: value'"},
        Refused{std::string("GET / HTTP/1.1\r\nX-A: 1\0\r\n\r\n", 27), 400, "'name: value'"},
        Refused{"GET / HTTP/1.1\r\nX\x01A: 1\r\n\r\n", 400, "'name: value'"},
        Refused{"GET /a\nb HTTP/1.1\r\n\r\n", 400, "control character"},
        Refused{"GET /a b HTTP/1.1\r\n\r\n", 400, "not 'method target version'"},
        Refused{"GET /\r\n\r\n", 400, "does not end in an HTTP version"},
        Refused{" \r\nHost: x\r\n\r\n", 400, "request line is empty"}),
    [](const auto& info) { return "Case" + std::to_string(info.index); });

}  // namespace
}  // namespace keydir
