#pragma once
// HTTP/1.1 requests out of the bytes a connection has received, for a
// serving core that reads without a thread per connection (issue 12): the
// core feeds what arrived, and takes whole requests out in order, so that
// pipelined requests are answered in turn and a partial header block simply
// waits for more. The head is parsed by Poco's own HTTPRequest once the
// whole block is here; the body is framed by Content-Length only (RFC 9112
// section 6). Every refusal says which status to answer and why, and after
// one the connection must close: what follows cannot be trusted to start a
// request.

#include <Poco/Net/HTTPRequest.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace keydir {

struct RequestLimits {
  std::size_t max_header_bytes = 16 * 1024;  // the request line and every header, CRLFs included
  std::size_t max_headers = 64;
  std::size_t max_body_bytes = 64 * 1024;
};

struct ParsedRequest {
  Poco::Net::HTTPRequest head;
  std::string body;
};

// A request the parser refuses: the status to answer and a sentence why.
struct RequestRefusal {
  int status = 400;  // 400, 411, 413, 431 or 505
  std::string why;
};

class RequestParser {
 public:
  explicit RequestParser(RequestLimits limits = {}) : limits_(limits) {}

  // Appends bytes as they arrived.
  void feed(std::string_view bytes) { buffer_.append(bytes); }

  // The next whole request; nullopt while it is still arriving. After a
  // refusal every later call refuses again.
  std::optional<ParsedRequest> next();
  const std::optional<RequestRefusal>& refusal() const { return refusal_; }

  // True while part of a request is buffered: its deadline runs.
  bool midRequest() const { return consumed_ < buffer_.size(); }
  // True when the last next() found the whole head of a request whose
  // body is still arriving: the body's deadline runs.
  bool awaitingBody() const { return awaiting_body_; }
  // True once for a request awaiting its body whose head asked for
  // `Expect: 100-continue` (RFC 9110 section 10.1.1): the core answers
  // 100 so that the client sends the body without waiting.
  bool takeContinue();
  // Bytes received and not yet taken by a request.
  std::size_t buffered() const { return buffer_.size() - consumed_; }

 private:
  std::optional<ParsedRequest> refuse(int status, std::string why);

  RequestLimits limits_;
  std::string buffer_;
  std::size_t consumed_ = 0;  // bytes of buffer_ already taken by earlier requests
  std::optional<RequestRefusal> refusal_;
  bool awaiting_body_ = false;
  bool expects_continue_ = false;
  std::size_t continued_at_ = std::string::npos;  // consumed_ when 100 was last sent
};

}  // namespace keydir
