#include "directory/http/http_exchange.h"

#include <Poco/URI.h>

#include "certs/base64.h"
#include "certs/pem.h"
#include "directory/http/problem.h"

namespace keydir {
Result<std::string> Exchange::body() { return transport_.body(service_.max_body_bytes); }

void Exchange::setHead(int status, const std::string& content_type) {
  response_.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  if (!content_type.empty()) response_.setContentType(content_type);
  // A year, as RFC 6797 section 11.2 and scanners expect of a service that
  // is HTTPS only.
  if (service_.https) response_.set("Strict-Transport-Security", "max-age=31536000");
}

void Exchange::send(int status, const std::string& content_type, std::string_view body) {
  const BodyPiece whole{body};
  send(status, content_type, std::span<const BodyPiece>(&whole, 1));
}

void Exchange::send(int status, const std::string& content_type, std::span<const BodyPiece> body) {
  sent_ = true;
  status_ = status;
  bytes_ = 0;
  for (const BodyPiece& piece : body) bytes_ += piece.bytes.size();
  setHead(status, content_type);
  transport_.sendPieces(response_, body);
}

void Exchange::sendJson(int status, std::string_view json) {
  send(status, "application/json", json);
}

void Exchange::sendText(int status, const std::string& content_type, std::string_view text) {
  send(status, content_type, text);
}

void Exchange::sendProblem(const Error& error, int status) {
  if (status == 0) status = httpStatusFor(error.code);
  // Unavailable is a passing state (the database away, a limit reached):
  // say when to come back, unless the caller already did.
  if (status == 503 && !response_.has("Retry-After")) response_.set("Retry-After", "1");
  // A detail may quote what the client sent, which need not be UTF-8 (a
  // path with %ff): such bytes become U+FFFD instead of failing the answer.
  send(status, "application/problem+json",
       problemJson(error, status).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string etagFor(std::string_view tagged) {
  return "\"" + base64UrlEncode(sha256(tagged)).substr(0, 27) + "\"";
}

void Exchange::sendCacheableJson(std::string_view json, std::chrono::seconds max_age) {
  sendTaggedJson(json, max_age, etagFor(json));
}

void Exchange::sendTaggedJson(std::string_view json, std::chrono::seconds max_age,
                              std::string_view etag) {
  const BodyPiece whole{json};
  sendTaggedJson(std::span<const BodyPiece>(&whole, 1), max_age, etag);
}

void Exchange::sendTaggedJson(std::span<const BodyPiece> json, std::chrono::seconds max_age,
                              std::string_view etag) {
  response_.set("Cache-Control",
                "public, max-age=" + std::to_string(std::max<long long>(0, max_age.count())));
  if (answeredNotModified(etag)) return;
  send(200, "application/json", json);
}

bool Exchange::answeredNotModified(std::string_view etag) {
  response_.set("ETag", std::string(etag));
  if (request().get("If-None-Match", "") != etag) return false;
  send(304, "", "");
  return true;
}

std::ostream& Exchange::startStream(int status, const std::string& content_type) {
  sent_ = true;
  status_ = status;
  setHead(status, content_type);
  return transport_.startStream(response_);
}

std::optional<std::string> Exchange::query(const std::string& name) const {
  try {
    for (const auto& [key, value] : Poco::URI(request().getURI()).getQueryParameters()) {
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
