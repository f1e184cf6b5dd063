#pragma once
// What the two router targets share: requests parsed from the fuzzer's
// bytes as the reactor core would hand them over, each answered by a
// router in process, and the answer held to what any client may expect: a
// 2xx, 3xx or 4xx (a 5xx means the server failed at something a client
// sent) with a body that is JSON where it says so.
#include <Poco/Net/HTTPResponse.h>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>

#include "directory/http/request_parser.h"
#include "directory/http/router.h"

namespace keydir::fuzz {

class CapturingTransport : public HttpTransport {
 public:
  explicit CapturingTransport(ParsedRequest& request) : request_(request) {}
  const Poco::Net::HTTPRequest& head() const override { return request_.head; }
  std::string clientHost() const override { return "127.0.0.1"; }
  Result<std::string> body(std::size_t) override { return request_.body; }
  void sendPieces(Poco::Net::HTTPResponse& response, std::span<const BodyPiece> body) override {
    status = int(response.getStatus());
    content_type = response.getContentType();
    answer.clear();
    for (const BodyPiece& piece : body) answer += piece.bytes;
  }
  std::ostream& startStream(Poco::Net::HTTPResponse& response) override {
    status = int(response.getStatus());
    return stream;
  }
  int status = 0;
  std::string content_type;
  std::string answer;
  std::ostringstream stream;

 private:
  ParsedRequest& request_;
};

// Answers every request in `data` with `router`; traps on a bad answer.
inline void answerEachRequest(Router& router, const std::uint8_t* data, std::size_t size) {
  RequestParser parser;
  parser.feed(std::string_view(reinterpret_cast<const char*>(data), size));
  while (auto request = parser.next()) {
    CapturingTransport transport(*request);
    router.handle(transport);
    if (transport.status == 0 || transport.status >= 500) __builtin_trap();
    if (transport.content_type.find("json") != std::string::npos &&
        nlohmann::json::parse(transport.answer, nullptr, false).is_discarded()) {
      __builtin_trap();
    }
  }
}

}  // namespace keydir::fuzz
