#include "directory/http/request_parser.h"

#include <Poco/Exception.h>
#include <Poco/String.h>

#include <algorithm>
#include <charconv>
#include <sstream>

namespace keydir {

std::optional<ParsedRequest> RequestParser::refuse(int status, std::string why) {
  refusal_ = RequestRefusal{status, std::move(why)};
  return std::nullopt;
}

bool RequestParser::takeContinue() {
  if (!awaiting_body_ || !expects_continue_ || continued_at_ == consumed_) return false;
  continued_at_ = consumed_;
  return true;
}

std::optional<ParsedRequest> RequestParser::next() {
  awaiting_body_ = false;
  if (refusal_) return std::nullopt;
  // Taken bytes are dropped once they are most of the buffer, so that a
  // long keep-alive connection does not grow it without end.
  if (consumed_ > 0 && consumed_ * 2 >= buffer_.size()) {
    buffer_.erase(0, consumed_);
    continued_at_ = continued_at_ == consumed_ ? 0 : std::string::npos;
    consumed_ = 0;
    // An idle keep-alive connection keeps no large buffer from its past.
    if (buffer_.empty() && buffer_.capacity() > 16 * 1024) std::string().swap(buffer_);
  }
  // RFC 9112 section 2.2: empty lines before a request line are ignored.
  while (buffer_.compare(consumed_, 2, "\r\n") == 0) consumed_ += 2;
  const std::string_view pending = std::string_view(buffer_).substr(consumed_);
  const std::size_t end = pending.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (pending.size() > limits_.max_header_bytes) {
      return refuse(431, "the request's header block is over " +
                             std::to_string(limits_.max_header_bytes) + " bytes");
    }
    return std::nullopt;
  }
  const std::size_t head_bytes = end + 4;
  if (head_bytes > limits_.max_header_bytes) {
    return refuse(431, "the request's header block is " + std::to_string(head_bytes) +
                           " bytes, over " + std::to_string(limits_.max_header_bytes));
  }
  const std::string_view block = pending.substr(0, head_bytes);
  // Lines after the request line, less the blank one that ends the block.
  const std::size_t lines = std::size_t(std::count(block.begin(), block.end(), '\n'));
  if (lines >= 2 && lines - 2 > limits_.max_headers) {
    return refuse(431, "the request has " + std::to_string(lines - 2) + " header fields, over " +
                           std::to_string(limits_.max_headers));
  }
  // Poco reads field lines leniently; RFC 9112 section 5.1 does not: a
  // name is a token followed at once by a colon.
  std::size_t line_start = block.find("\r\n") + 2;
  while (line_start + 2 < block.size()) {
    const std::size_t line_end = block.find("\r\n", line_start);
    const std::string_view line = block.substr(line_start, line_end - line_start);
    const std::size_t colon = line.find(':');
    const bool token =
        colon != std::string_view::npos && colon > 0 &&
        line.substr(0, colon).find_first_of(" \t\"(),/;<=>?@[\\]{}") == std::string_view::npos;
    if (!token) {
      return refuse(400,
                    "the request's head does not parse: a header line is not "
                    "'name: value'");
    }
    line_start = line_end + 2;
  }
  ParsedRequest request;
  request.head.setFieldLimit(int(limits_.max_headers));
  try {
    std::istringstream in{std::string(block)};
    request.head.read(in);
  } catch (const Poco::Exception& error) {
    return refuse(400, "the request's head does not parse: " + error.message());
  }
  // RFC 9110 section 9.1: a method is a token.
  const std::string& method = request.head.getMethod();
  if (method.empty() ||
      method.find_first_not_of("!#$%&'*+-.^_`|~0123456789"
                               "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "abcdefghijklmnopqrstuvwxyz") != std::string::npos) {
    return refuse(400, "the request's method is not a token (RFC 9110 section 9.1)");
  }
  const std::string& version = request.head.getVersion();
  if (!version.starts_with("HTTP/")) {
    return refuse(400,
                  "the request's head does not parse: the request line does not end in "
                  "an HTTP version");
  }
  if (version != Poco::Net::HTTPMessage::HTTP_1_1 && version != Poco::Net::HTTPMessage::HTTP_1_0) {
    return refuse(505, "HTTP version " + version.substr(0, 16) + " is not served");
  }
  if (request.head.has("Transfer-Encoding")) {
    return refuse(411, "a request body is framed by Content-Length; Transfer-Encoding is refused");
  }
  std::size_t length = 0;
  if (request.head.has("Content-Length")) {
    const std::string& text = request.head.get("Content-Length");
    auto [stop, error] = std::from_chars(text.data(), text.data() + text.size(), length);
    if (error != std::errc() || stop != text.data() + text.size() || text.empty()) {
      return refuse(400, "Content-Length '" + text.substr(0, 20) + "' is not a whole number");
    }
    if (length > limits_.max_body_bytes) {
      return refuse(413, "request body of " + std::to_string(length) +
                             " bytes is over the limit of " +
                             std::to_string(limits_.max_body_bytes));
    }
  }
  if (pending.size() < head_bytes + length) {
    awaiting_body_ = true;
    expects_continue_ = Poco::icompare(request.head.get("Expect", ""), "100-continue") == 0;
    return std::nullopt;
  }
  request.body = std::string(pending.substr(head_bytes, length));
  consumed_ += head_bytes + length;
  return request;
}

}  // namespace keydir
