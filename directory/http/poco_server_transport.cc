#include "directory/http/poco_server_transport.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>

#include <istream>

namespace keydir {
namespace {

// Poco's response stream hands the socket 4 KiB at a time, so a padded
// 64 KiB bucket answer took sixteen send calls. A body this large goes to
// the socket whole once the head is out.
constexpr std::size_t kDirectSendBytes = 16 * 1024;

// Reading an oversized body to its end lets the client, still sending,
// receive the 413 instead of a reset; past this much it is cheaper to close.
constexpr std::size_t kMaxBytesDrained = 1 << 20;

// Reads and drops up to kMaxBytesDrained bytes; true when the body ended.
bool drain(std::istream& in) {
  char buffer[8192];
  std::size_t drained = 0;
  while (drained <= kMaxBytesDrained && (in.read(buffer, sizeof buffer) || in.gcount() > 0)) {
    drained += std::size_t(in.gcount());
  }
  return drained <= kMaxBytesDrained;
}

}  // namespace

Result<std::string> PocoServerTransport::body(std::size_t limit) {
  if (request_.hasContentLength() &&
      request_.getContentLength64() > static_cast<Poco::Int64>(limit)) {
    if (!drain(request_.stream())) response_.setKeepAlive(false);
    return fail(ErrorCode::kPayloadTooLarge,
                "request body of " + std::to_string(request_.getContentLength64()) +
                    " bytes is over the limit of " + std::to_string(limit));
  }
  std::string text;
  std::istream& in = request_.stream();
  char buffer[8192];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, std::size_t(in.gcount()));
    if (text.size() > limit) {
      if (!drain(in)) response_.setKeepAlive(false);
      return fail(ErrorCode::kPayloadTooLarge,
                  "request body is over the limit of " + std::to_string(limit) + " bytes");
    }
  }
  return text;
}

void PocoServerTransport::copyHead(const Poco::Net::HTTPResponse& response) {
  response_.setStatusAndReason(response.getStatus(), response.getReason());
  for (const auto& [name, value] : response) response_.set(name, value);
}

void PocoServerTransport::sendPieces(Poco::Net::HTTPResponse& response,
                                     std::span<const BodyPiece> body) {
  copyHead(response);
  std::size_t length = 0;
  for (const BodyPiece& piece : body) length += piece.bytes.size();
  response_.setContentLength64(static_cast<Poco::Int64>(length));
  std::ostream& out = response_.send();
  auto* direct = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request_);
  if (length < kDirectSendBytes || direct == nullptr || request_.getMethod() == "HEAD") {
    for (const BodyPiece& piece : body) {
      out.write(piece.bytes.data(), static_cast<std::streamsize>(piece.bytes.size()));
    }
    return;
  }
  out.flush();
  Poco::Net::StreamSocket& socket = direct->socket();
  for (const BodyPiece& piece : body) {
    const std::string_view bytes = piece.bytes;
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      int now = socket.sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent));
      if (now <= 0) throw Poco::IOException("connection closed while sending the answer");
      sent += std::size_t(now);
    }
  }
}

std::ostream& PocoServerTransport::startStream(Poco::Net::HTTPResponse& response) {
  copyHead(response);
  response_.setChunkedTransferEncoding(true);
  return response_.send();
}

}  // namespace keydir
