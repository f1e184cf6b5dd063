#pragma once
// A client of the directory API over HTTP or HTTPS, for the keydir command
// and the caching proxy. Problem answers come back as Errors with the
// problem's type mapped to its code and its detail as the message.

#include <Poco/Net/HTTPClientSession.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "certs/error.h"

namespace keydir {

struct HttpAnswer {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lowercased
};

class DirectoryClient {
 public:
  // `base_url` like "https://dir.example:8443". `ca_file`, when set, is the
  // PEM bundle that must have signed the server's certificate (otherwise
  // the system's CAs).
  static Result<DirectoryClient> create(const std::string& base_url,
                                        const std::string& ca_file = "");

  // Any HTTP answer, problems included; kUnavailable if no answer came.
  // `headers` are sent as given (If-None-Match, for one).
  Result<HttpAnswer> request(const std::string& method, const std::string& path,
                             std::string_view body = {}, const std::string& content_type = "",
                             const std::map<std::string, std::string>& headers = {});
  // 2xx answers as they are; problem answers as their Error.
  Result<HttpAnswer> call(const std::string& method, const std::string& path,
                          std::string_view body = {}, const std::string& content_type = "");

  // GETs `path` and hands each line of a 2xx answer to `on_line` as it
  // arrives, so that a snapshot of any size streams in constant memory;
  // `on_line` returns false to stop. Problem answers come back as their
  // Error; kUnavailable when the connection fails or the answer is cut.
  Result<void> streamLines(const std::string& path,
                           const std::function<bool(std::string_view)>& on_line);

  const std::string& baseUrl() const { return base_url_; }
  // Told of every request's path and answer status (0: no answer), for a
  // cache's metrics of what it asked upstream.
  void onAnswer(std::function<void(const std::string& path, int status)> observer) {
    on_answer_ = std::move(observer);
  }

 private:
  std::unique_ptr<Poco::Net::HTTPClientSession> makeSession() const;

  std::string base_url_;
  std::string scheme_;
  std::string host_;
  unsigned short port_ = 0;
  std::string ca_file_;
  std::function<void(const std::string&, int)> on_answer_;
};

// The Error a problem+json answer stands for.
Error errorFromProblem(const HttpAnswer& answer);

}  // namespace keydir
