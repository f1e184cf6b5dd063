#pragma once
// One request and its response, with the few things every route does:
// read a bounded body, answer JSON or a problem, cache headers, the write
// rate limit. Problems are written here and nowhere else.

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "certs/error.h"
#include "directory/http/http_service.h"
#include "directory/http/http_transport.h"

namespace keydir {

class Exchange {
 public:
  Exchange(HttpTransport& transport, HttpService& service, std::vector<std::string> params)
      : transport_(transport), service_(service), params_(std::move(params)) {}

  HttpService& service() { return service_; }
  const Poco::Net::HTTPRequest& request() const { return transport_.head(); }
  // Path parameters in route order, percent-decoded.
  const std::string& param(std::size_t index) const { return params_.at(index); }
  Instant now() const { return service_.clock->now(); }
  std::string client() const { return transport_.clientHost(); }

  // A query parameter, percent-decoded; nullopt when absent.
  std::optional<std::string> query(const std::string& name) const;

  void setHeader(const std::string& name, const std::string& value) { response_.set(name, value); }
  // The request body, at most service().max_body_bytes; kPayloadTooLarge past it.
  Result<std::string> body();

  void sendJson(int status, std::string_view json);
  // Any body of `content_type`, text or bytes (a Privacy Pass TokenResponse).
  void sendText(int status, const std::string& content_type, std::string_view text);
  // A problem for `error`, with its own status or `status` when given.
  void sendProblem(const Error& error, int status = 0);
  // 200 with an ETag (a hash of `json`) and Cache-Control max-age, or 304
  // when If-None-Match names the same ETag.
  void sendCacheableJson(std::string_view json, std::chrono::seconds max_age);
  // The same with an ETag made earlier by etagFor().
  void sendTaggedJson(std::string_view json, std::chrono::seconds max_age, std::string_view etag);
  // The same for JSON in pieces, sent one after another without being
  // joined first (a bucket answer and its padding).
  void sendTaggedJson(std::span<const BodyPiece> json, std::chrono::seconds max_age,
                      std::string_view etag);
  // Sets `etag`; when If-None-Match names it, answers 304 and returns true.
  bool answeredNotModified(std::string_view etag);
  // Starts a streamed (chunked) answer. The caller writes to the stream,
  // counts what it wrote with countBytes, and stops once the stream goes
  // bad: the client went away.
  std::ostream& startStream(int status, const std::string& content_type);
  void countBytes(std::size_t bytes) { bytes_ += bytes; }

  // Takes a write token for the client; false after sending 429 + Retry-After.
  bool admitWrite();

  bool sent() const { return sent_; }
  int status() const { return status_; }
  std::size_t bytesSent() const { return bytes_; }

 private:
  void setHead(int status, const std::string& content_type);
  void send(int status, const std::string& content_type, std::string_view body);
  void send(int status, const std::string& content_type, std::span<const BodyPiece> body);

  HttpTransport& transport_;
  Poco::Net::HTTPResponse response_;  // the answer's head, until sent
  HttpService& service_;
  std::vector<std::string> params_;
  bool sent_ = false;
  int status_ = 0;
  std::size_t bytes_ = 0;
};

// The ETag of an answer: a quoted hash of `tagged`.
std::string etagFor(std::string_view tagged);

}  // namespace keydir
