#pragma once
// HTTP/1.1 requests out of the bytes a connection has received, for a
// serving core that reads without a thread per connection (issue 12): the
// core feeds what arrived, and takes whole requests out in order, so that
// pipelined requests are answered in turn and a partial header block simply
// waits for more. The head is read into Poco's HTTPRequest once the whole
// block is here, strictly (RFC 9112 sections 3 and 5); the body is framed
// by Content-Length or by `Transfer-Encoding: chunked` (RFC 9112 sections
// 6 and 7.1), which HTTP/2 terminating proxies use to forward a request
// body. A chunked body is decoded as it arrives, so a body trickling in
// costs no more than one sent whole; its chunk lines and trailers count
// against the header limits, its decoded bytes against the body limit.
// Every refusal says which status to answer and why, and after one the
// connection must close: what follows cannot be trusted to start a request.

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

// A request whose body came chunked carries Content-Length of the decoded
// body and no Transfer-Encoding (RFC 9112 section 7.1.3), so that nothing
// past the parser needs to know how it was framed.
struct ParsedRequest {
  Poco::Net::HTTPRequest head;
  std::string body;
};

// A request the parser refuses: the status to answer and a sentence why.
struct RequestRefusal {
  int status = 400;  // 400, 413, 431, 501 or 505
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
  // Checks a Transfer-Encoding head and starts decoding its chunks.
  std::optional<ParsedRequest> startChunked(ParsedRequest request, std::size_t head_bytes);
  // Decodes what has arrived of a chunked body; the request once it ended.
  std::optional<ParsedRequest> continueChunked();

  // Where a chunked body's decoding stands between calls of next().
  struct Chunked {
    enum class Phase { kSizeLine, kData, kDataEnd, kTrailer };
    ParsedRequest request;
    Phase phase = Phase::kSizeLine;
    std::size_t at = 0;             // next byte to read, counted from consumed_
    std::size_t chunk_left = 0;     // bytes of the current chunk's data still to come
    std::size_t framing_bytes = 0;  // head, chunk lines and trailers: the header limit
    std::size_t fields = 0;         // header and trailer fields: the field limit
  };

  RequestLimits limits_;
  std::string buffer_;
  std::size_t consumed_ = 0;  // bytes of buffer_ already taken by earlier requests
  std::optional<RequestRefusal> refusal_;
  std::optional<Chunked> chunked_;
  bool awaiting_body_ = false;
  bool expects_continue_ = false;
  std::size_t continued_at_ = std::string::npos;  // consumed_ when 100 was last sent
};

}  // namespace keydir
