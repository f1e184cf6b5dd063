#include "directory/http/http_exchange.h"

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>

#include <istream>

#include "certs/base64.h"
#include "certs/pem.h"
#include "directory/http/problem.h"

namespace keydir {
namespace {

constexpr std::size_t kDirectSendBytes = 16 * 1024;

}  // namespace

namespace {

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

Result<std::string> Exchange::body() {
  const std::size_t limit = service_.max_body_bytes;
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

void Exchange::send(int status, const std::string& content_type, std::string_view body) {
  sent_ = true;
  status_ = status;
  bytes_ = body.size();
  response_.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  if (!content_type.empty()) response_.setContentType(content_type);
  response_.setContentLength64(static_cast<Poco::Int64>(body.size()));
  std::ostream& out = response_.send();
  // Poco's response stream hands the socket 4 KiB at a time, so a padded
  // 64 KiB bucket answer took sixteen send calls. A large body goes to the
  // socket whole once the header is out.
  auto* direct = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request_);
  if (body.size() < kDirectSendBytes || direct == nullptr || request_.getMethod() == "HEAD") {
    out.write(body.data(), static_cast<std::streamsize>(body.size()));
    return;
  }
  out.flush();
  Poco::Net::StreamSocket& socket = direct->socket();
  std::size_t sent = 0;
  while (sent < body.size()) {
    int now = socket.sendBytes(body.data() + sent, static_cast<int>(body.size() - sent));
    if (now <= 0) throw Poco::IOException("connection closed while sending the answer");
    sent += std::size_t(now);
  }
}

void Exchange::sendJson(int status, std::string_view json) {
  send(status, "application/json", json);
}

void Exchange::sendText(int status, const std::string& content_type, std::string_view text) {
  send(status, content_type, text);
}

void Exchange::sendProblem(const Error& error) {
  send(httpStatusFor(error.code), "application/problem+json", problemJson(error).dump());
}

void Exchange::sendCacheableJson(std::string_view json, std::chrono::seconds max_age,
                                 std::string_view tagged) {
  std::string etag =
      "\"" + base64UrlEncode(sha256(tagged.empty() ? json : tagged)).substr(0, 27) + "\"";
  response_.set("Cache-Control",
                "public, max-age=" + std::to_string(std::max<long long>(0, max_age.count())));
  if (answeredNotModified(etag)) return;
  sendJson(200, json);
}

bool Exchange::answeredNotModified(const std::string& etag) {
  response_.set("ETag", etag);
  if (request_.get("If-None-Match", "") != etag) return false;
  send(304, "", "");
  return true;
}

std::ostream& Exchange::startStream(int status, const std::string& content_type) {
  sent_ = true;
  status_ = status;
  response_.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response_.setContentType(content_type);
  response_.setChunkedTransferEncoding(true);
  return response_.send();
}

std::optional<std::string> Exchange::query(const std::string& name) const {
  try {
    for (const auto& [key, value] : Poco::URI(request_.getURI()).getQueryParameters()) {
      if (key == name) return value;
    }
  } catch (const std::exception&) {
    // A query that does not decode names no parameter.
  }
  return std::nullopt;
}

bool Exchange::admitWrite() {
  long long wait = service_.write_limiter->acquire(client(), std::chrono::steady_clock::now());
  if (wait == 0) return true;
  response_.set("Retry-After", std::to_string(wait));
  sendProblem({ErrorCode::kRateLimited,
               "too many writes from " + client() + "; retry in " + std::to_string(wait) + " s"});
  return false;
}

}  // namespace keydir
