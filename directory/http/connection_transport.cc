#include "directory/http/connection_transport.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Timestamp.h>

#include <cstdio>
#include <ctime>
#include <streambuf>

#include "directory/http/http_connection.h"

namespace keydir {
namespace {

// The Date header (RFC 9110 section 6.6.1), formatted once a second.
const std::string& httpDate() {
  thread_local std::string text;
  thread_local std::time_t formatted_at = 0;
  std::time_t now = std::time(nullptr);
  if (now != formatted_at) {
    text = Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(now),
                                           Poco::DateTimeFormat::HTTP_FORMAT);
    formatted_at = now;
  }
  return text;
}

std::string headBytes(const Poco::Net::HTTPResponse& response, bool close, bool http10) {
  std::string head;
  head.reserve(256);
  head += "HTTP/1.1 ";
  head += std::to_string(int(response.getStatus()));
  head += ' ';
  head += response.getReason();
  head += "\r\nDate: ";
  head += httpDate();
  head += "\r\n";
  for (const auto& [name, value] : response) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  if (close) {
    head += "Connection: close\r\n";
  } else if (http10) {
    head += "Connection: Keep-Alive\r\n";
  }
  head += "\r\n";
  return head;
}

}  // namespace

// A streamed body, in chunks (RFC 9112 section 7.1) or, for an HTTP/1.0
// client, as it comes until the connection closes.
class StreamedBody : public std::streambuf {
 public:
  StreamedBody(HttpConnection& connection, bool chunked)
      : connection_(connection), chunked_(chunked) {
    setp(buffer_, buffer_ + sizeof buffer_);
  }

  // Sends what is buffered and the last chunk.
  void finish() {
    sync();
    if (chunked_ && !connection_.broken()) connection_.queue("0\r\n\r\n");
  }

 protected:
  int_type overflow(int_type c) override {
    if (emit() != 0) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override { return emit(); }

 private:
  int emit() {
    const std::size_t size = std::size_t(pptr() - pbase());
    setp(buffer_, buffer_ + sizeof buffer_);
    if (connection_.broken()) return -1;
    if (size == 0) return 0;
    if (chunked_) {
      char line[24];
      int length = std::snprintf(line, sizeof line, "%zx\r\n", size);
      connection_.queue({line, std::size_t(length)});
      connection_.queue({buffer_, size});
      connection_.queue("\r\n");
    } else {
      connection_.queue({buffer_, size});
    }
    return connection_.broken() ? -1 : 0;
  }

  HttpConnection& connection_;
  bool chunked_;
  char buffer_[16 * 1024];
};

ConnectionTransport::ConnectionTransport(HttpConnection& connection, ParsedRequest& request,
                                         bool keep_alive)
    : connection_(connection), request_(request), keep_alive_(keep_alive) {}

ConnectionTransport::~ConnectionTransport() = default;

std::string ConnectionTransport::clientHost() const { return connection_.clientHost(); }

Result<std::string> ConnectionTransport::body(std::size_t limit) {
  if (request_.body.size() > limit) {
    return fail(ErrorCode::kPayloadTooLarge,
                "request body of " + std::to_string(request_.body.size()) +
                    " bytes is over the limit of " + std::to_string(limit));
  }
  return std::move(request_.body);
}

void ConnectionTransport::sendPieces(Poco::Net::HTTPResponse& response,
                                     std::span<const BodyPiece> body) {
  answered_ = true;
  std::size_t length = 0;
  for (const BodyPiece& piece : body) length += piece.bytes.size();
  response.setContentLength64(static_cast<Poco::Int64>(length));
  connection_.queue(headBytes(response, !keep_alive_, http10()));
  if (request_.head.getMethod() == Poco::Net::HTTPRequest::HTTP_HEAD) return;
  for (const BodyPiece& piece : body) {
    if (piece.lasting) {
      connection_.queueLasting(piece.bytes);
    } else {
      connection_.queue(piece.bytes);
    }
  }
}

std::ostream& ConnectionTransport::startStream(Poco::Net::HTTPResponse& response) {
  answered_ = true;
  // HTTP/1.0 has no chunks: the end of the connection ends the body.
  const bool chunked = !http10();
  if (chunked) {
    response.setChunkedTransferEncoding(true);
  } else {
    keep_alive_ = false;
  }
  connection_.queue(headBytes(response, !keep_alive_, http10()));
  body_ = std::make_unique<StreamedBody>(connection_, chunked);
  stream_ = std::make_unique<std::ostream>(body_.get());
  return *stream_;
}

void ConnectionTransport::finish() {
  if (body_) body_->finish();
  if (!keep_alive_) connection_.closeAfterAnswer();
}

bool ConnectionTransport::http10() const {
  return request_.head.getVersion() == Poco::Net::HTTPMessage::HTTP_1_0;
}

}  // namespace keydir
