#include "directory/http/request_parser.h"

#include <Poco/String.h>

#include <algorithm>
#include <charconv>
#include <vector>

namespace keydir {
namespace {

// RFC 9110 section 5.6.2: what a token (a method, a field name) is made of.
constexpr std::string_view kTokenCharacters =
    "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// RFC 9112 section 5.1: a field line's name is a token followed at once by
// a colon (a space before the colon has smuggled requests past proxies);
// RFC 9110 section 5.5: its value holds no control character but a tab,
// least of all a bare CR or LF, which could end a line for one reader and
// not for another. Where its colon is, or nullopt for a line that is not
// a field line.
std::optional<std::size_t> fieldLineColon(std::string_view line) {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0 ||
      line.substr(0, colon).find_first_not_of(kTokenCharacters) != std::string_view::npos ||
      std::any_of(line.begin() + std::ptrdiff_t(colon) + 1, line.end(),
                  [](char c) { return (std::uint8_t(c) < 0x20 && c != '\t') || c == '\x7f'; })) {
    return std::nullopt;
  }
  return colon;
}

// The transfer codings a request names, lowercased, in order, from every
// Transfer-Encoding field it has.
std::vector<std::string> transferCodings(const Poco::Net::HTTPRequest& head) {
  std::vector<std::string> codings;
  for (const auto& [name, value] : head) {
    if (Poco::icompare(name, "Transfer-Encoding") != 0) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      std::string coding(rest.substr(0, comma));
      coding.erase(0, coding.find_first_not_of(" \t"));
      coding.erase(coding.find_last_not_of(" \t") + 1);
      if (!coding.empty()) codings.push_back(Poco::toLower(coding));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  return codings;
}

// RFC 9112 section 3: method SP request-target SP HTTP-version, where a
// server may take any run of blanks for the SP (section 3 allows it).
std::optional<std::string> readRequestLine(std::string_view line, Poco::Net::HTTPRequest& head) {
  std::string_view words[3];
  std::size_t count = 0;
  std::size_t at = line.find_first_not_of(" \t");
  while (at != std::string_view::npos) {
    const std::size_t end = std::min(line.find_first_of(" \t", at), line.size());
    if (count == 3) return "the request line is not 'method target version'";
    words[count++] = line.substr(at, end - at);
    at = line.find_first_not_of(" \t", end);
  }
  if (count == 0) return "the request line is empty";
  if (count < 3) return "the request line does not end in an HTTP version";
  // The method and version are checked for what they must be after.
  if (std::any_of(words[1].begin(), words[1].end(),
                  [](char c) { return std::uint8_t(c) < 0x20 || c == '\x7f'; })) {
    return "the request target holds a control character";
  }
  head.setMethod(std::string(words[0]));
  head.setURI(std::string(words[1]));
  head.setVersion(std::string(words[2]));
  return std::nullopt;
}

// A whole head block, CRLF-separated and ending in an empty line, into
// Poco's request; why not, if it is not one. Read here rather than by
// Poco's reader, which takes a character at a time through an istream (a
// tenth of a CPS store's time) and decodes RFC 2047 words in values, which
// HTTP does not have.
std::optional<std::string> readHead(std::string_view block, Poco::Net::HTTPRequest& head) {
  std::size_t line_end = block.find("\r\n");
  if (auto why = readRequestLine(block.substr(0, line_end), head)) return why;
  for (std::size_t line_start = line_end + 2; line_start + 2 < block.size();
       line_start = line_end + 2) {
    line_end = block.find("\r\n", line_start);
    const std::string_view line = block.substr(line_start, line_end - line_start);
    const auto colon = fieldLineColon(line);
    if (!colon) return "a header line is not 'name: value'";
    // RFC 9112 section 5.1: the value is what lies between optional blanks.
    std::string_view value = line.substr(*colon + 1);
    const std::size_t first = value.find_first_not_of(" \t");
    value = first == std::string_view::npos
                ? std::string_view()
                : value.substr(first, value.find_last_not_of(" \t") + 1 - first);
    head.add(std::string(line.substr(0, *colon)), std::string(value));
  }
  return std::nullopt;
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

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
  if (chunked_) return continueChunked();
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
  ParsedRequest request;
  if (auto why = readHead(block, request.head)) {
    return refuse(400, "the request's head does not parse: " + *why);
  }
  // RFC 9110 section 9.1: a method is a token.
  const std::string& method = request.head.getMethod();
  if (method.empty() || method.find_first_not_of(kTokenCharacters) != std::string::npos) {
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
    return startChunked(std::move(request), head_bytes);
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

std::optional<ParsedRequest> RequestParser::startChunked(ParsedRequest request,
                                                         std::size_t head_bytes) {
  // RFC 9112 section 6.1: HTTP/1.0 has no transfer codings, so the framing
  // of such a message cannot be trusted.
  if (request.head.getVersion() == Poco::Net::HTTPMessage::HTTP_1_0) {
    return refuse(400, "an HTTP/1.0 request cannot carry Transfer-Encoding (RFC 9112 section 6.1)");
  }
  // Both framings at once is how requests are smuggled past a proxy that
  // reads the other one (RFC 9112 section 6.3 lets a server refuse it).
  if (request.head.has("Content-Length")) {
    return refuse(400, "a request has both Content-Length and Transfer-Encoding");
  }
  const std::vector<std::string> codings = transferCodings(request.head);
  if (codings.empty() || codings.back() != "chunked") {
    return refuse(400,
                  "Transfer-Encoding must end in chunked, or the body's length is unknown "
                  "(RFC 9112 section 6.3)");
  }
  if (codings.size() > 1) {
    return refuse(501, "transfer coding '" + codings.front().substr(0, 32) +
                           "' is not implemented; send the body chunked only");
  }
  request.head.erase("Transfer-Encoding");
  Chunked state;
  state.at = head_bytes;
  state.framing_bytes = head_bytes;
  const std::string_view block = std::string_view(buffer_).substr(consumed_, head_bytes);
  state.fields = std::size_t(std::count(block.begin(), block.end(), '\n')) - 2;
  expects_continue_ = Poco::icompare(request.head.get("Expect", ""), "100-continue") == 0;
  state.request = std::move(request);
  chunked_ = std::move(state);
  return continueChunked();
}

std::optional<ParsedRequest> RequestParser::continueChunked() {
  Chunked& state = *chunked_;
  const std::string_view pending = std::string_view(buffer_).substr(consumed_);
  std::string& body = state.request.body;
  using Phase = Chunked::Phase;
  // A line still arriving is refused as soon as it would pass the limit.
  auto awaitLine = [&]() -> std::optional<ParsedRequest> {
    if (state.framing_bytes + (pending.size() - state.at) > limits_.max_header_bytes) {
      return refuse(431, "the request's header block, chunk lines and trailers are over " +
                             std::to_string(limits_.max_header_bytes) + " bytes");
    }
    awaiting_body_ = true;
    return std::nullopt;
  };
  // A whole line from `state.at`, counted against the header limit; nullopt
  // while it is still arriving.
  auto takeLine = [&]() -> std::optional<std::string_view> {
    const std::size_t end = pending.find("\r\n", state.at);
    if (end == std::string_view::npos) return std::nullopt;
    const std::string_view line = pending.substr(state.at, end - state.at);
    state.at = end + 2;
    state.framing_bytes += line.size() + 2;
    return line;
  };
  for (;;) {
    switch (state.phase) {
      case Phase::kSizeLine: {
        auto line = takeLine();
        if (!line) return awaitLine();
        if (state.framing_bytes > limits_.max_header_bytes) return awaitLine();
        // RFC 9112 section 7.1: chunk-size [ chunk-ext ], the size in hex.
        std::size_t digits = 0, size = 0;
        const std::size_t room = limits_.max_body_bytes - body.size();
        for (; digits < line->size() && hexDigit((*line)[digits]) >= 0; ++digits) {
          size = size * 16 + std::size_t(hexDigit((*line)[digits]));
          if (size > room) {
            return refuse(413, "request body is over the limit of " +
                                   std::to_string(limits_.max_body_bytes) + " bytes");
          }
        }
        if (digits == 0) return refuse(400, "a chunk does not start with its size in hex");
        // Extensions are read past, not used: each is ';' name ['=' value],
        // with optional blanks; no control character but a tab belongs in one.
        const std::string_view extension = line->substr(digits);
        const std::size_t first = extension.find_first_not_of(" \t");
        const bool extension_ok = first == std::string_view::npos ||
                                  (extension[first] == ';' &&
                                   std::none_of(extension.begin(), extension.end(), [](char c) {
                                     return (unsigned char)c < 0x20 && c != '\t';
                                   }));
        if (!extension_ok) {
          return refuse(400, "a chunk's size line is not a hex size and ';' extensions");
        }
        state.chunk_left = size;
        state.phase = size == 0 ? Phase::kTrailer : Phase::kData;
        break;
      }
      case Phase::kData: {
        const std::size_t take = std::min(state.chunk_left, pending.size() - state.at);
        body.append(pending.substr(state.at, take));
        state.at += take;
        state.chunk_left -= take;
        if (state.chunk_left > 0) {
          awaiting_body_ = true;
          return std::nullopt;
        }
        state.phase = Phase::kDataEnd;
        break;
      }
      case Phase::kDataEnd:
        if (pending.size() - state.at < 2) {
          awaiting_body_ = true;
          return std::nullopt;
        }
        if (pending.substr(state.at, 2) != "\r\n") {
          return refuse(400, "a chunk's data is longer than its size says");
        }
        state.at += 2;
        state.phase = Phase::kSizeLine;
        break;
      case Phase::kTrailer: {
        auto line = takeLine();
        if (!line) return awaitLine();
        if (state.framing_bytes > limits_.max_header_bytes) return awaitLine();
        if (!line->empty()) {
          // Trailer fields are checked like headers and then dropped: no
          // route reads them (RFC 9110 section 6.5.1 lets a recipient).
          if (!fieldLineColon(*line)) {
            return refuse(400, "a trailer line after the last chunk is not 'name: value'");
          }
          if (++state.fields > limits_.max_headers) {
            return refuse(431, "the request has " + std::to_string(state.fields) +
                                   " header and trailer fields, over " +
                                   std::to_string(limits_.max_headers));
          }
          break;
        }
        ParsedRequest request = std::move(state.request);
        request.head.setContentLength64(Poco::Int64(request.body.size()));
        consumed_ += state.at;
        chunked_.reset();
        return request;
      }
    }
  }
}

}  // namespace keydir
