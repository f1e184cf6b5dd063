#include "directory/client/directory_client.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "certs/json_fields.h"

namespace keydir {
namespace {

constexpr ErrorCode kAllCodes[] = {
    ErrorCode::kInvalidTn,      ErrorCode::kMalformed,       ErrorCode::kUntrustedChain,
    ErrorCode::kBadSignature,   ErrorCode::kExpired,         ErrorCode::kValidityTooLong,
    ErrorCode::kUnsupportedKey, ErrorCode::kNotAuthorized,   ErrorCode::kTooManyKeys,
    ErrorCode::kNotFound,       ErrorCode::kPayloadTooLarge, ErrorCode::kRateLimited,
    ErrorCode::kGone,           ErrorCode::kUnavailable,     ErrorCode::kReadOnly};

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return text;
}

}  // namespace

Error errorFromProblem(const HttpAnswer& answer) {
  nlohmann::json problem = nlohmann::json::parse(answer.body, nullptr, false);
  std::string type = problem.is_object() ? textField(problem, "type") : "";
  std::string detail = problem.is_object() ? textField(problem, "detail") : "";
  for (ErrorCode code : kAllCodes) {
    std::string_view name = errorTypeName(code);
    if (type.size() >= name.size() &&
        type.compare(type.size() - name.size(), name.size(), name) == 0) {
      return {code, detail.empty() ? std::string(name) : detail};
    }
  }
  ErrorCode code = answer.status >= 500 ? ErrorCode::kUnavailable : ErrorCode::kMalformed;
  return {code, "directory answered HTTP " + std::to_string(answer.status) +
                    (detail.empty() ? "" : ": " + detail)};
}

Result<DirectoryClient> DirectoryClient::create(const std::string& base_url,
                                                const std::string& ca_file) {
  DirectoryClient client;
  try {
    Poco::URI uri(base_url);
    client.scheme_ = uri.getScheme();
    client.host_ = uri.getHost();
    client.port_ = uri.getPort();
  } catch (const std::exception& error) {
    return fail(ErrorCode::kMalformed, "server URL '" + base_url + "': " + error.what());
  }
  if ((client.scheme_ != "http" && client.scheme_ != "https") || client.host_.empty()) {
    return fail(ErrorCode::kMalformed,
                "server URL '" + base_url + "' should look like https://host:port");
  }
  client.base_url_ = base_url;
  while (!client.base_url_.empty() && client.base_url_.back() == '/') client.base_url_.pop_back();
  client.ca_file_ = ca_file;
  return client;
}

Result<HttpAnswer> DirectoryClient::request(const std::string& method, const std::string& path,
                                            std::string_view body, const std::string& content_type,
                                            const std::map<std::string, std::string>& headers) {
  try {
    auto session = makeSession();
    Poco::Net::HTTPRequest http_request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers) http_request.set(name, value);
    if (!body.empty() || method == "POST") {
      http_request.setContentLength64(static_cast<Poco::Int64>(body.size()));
      if (!content_type.empty()) http_request.setContentType(content_type);
    }
    std::ostream& out = session->sendRequest(http_request);
    out.write(body.data(), static_cast<std::streamsize>(body.size()));
    Poco::Net::HTTPResponse http_response;
    std::istream& in = session->receiveResponse(http_response);
    HttpAnswer answer;
    answer.status = http_response.getStatus();
    std::ostringstream text;
    Poco::StreamCopier::copyStream(in, text);
    answer.body = text.str();
    for (const auto& [name, value] : http_response) answer.headers[lowercase(name)] = value;
    if (on_answer_) on_answer_(path, answer.status);
    return answer;
  } catch (const std::exception& error) {
    if (on_answer_) on_answer_(path, 0);
    return fail(ErrorCode::kUnavailable,
                "no answer from " + base_url_ + path + ": " + error.what());
  }
}

std::unique_ptr<Poco::Net::HTTPClientSession> DirectoryClient::makeSession() const {
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (scheme_ == "https") {
    Poco::Net::initializeSSL();
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", ca_file_,
                               Poco::Net::Context::VERIFY_STRICT, 9, ca_file_.empty());
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    session = std::make_unique<Poco::Net::HTTPSClientSession>(host_, port_, context);
  } else {
    session = std::make_unique<Poco::Net::HTTPClientSession>(host_, port_);
  }
  session->setTimeout(Poco::Timespan(30, 0));
  return session;
}

Result<void> DirectoryClient::streamLines(const std::string& path,
                                          const std::function<bool(std::string_view)>& on_line) {
  try {
    auto session = makeSession();
    Poco::Net::HTTPRequest http_request("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
    session->sendRequest(http_request);
    Poco::Net::HTTPResponse http_response;
    std::istream& in = session->receiveResponse(http_response);
    if (on_answer_) on_answer_(path, http_response.getStatus());
    if (http_response.getStatus() < 200 || http_response.getStatus() >= 300) {
      HttpAnswer answer;
      answer.status = http_response.getStatus();
      std::ostringstream text;
      Poco::StreamCopier::copyStream(in, text);
      answer.body = text.str();
      return std::unexpected(errorFromProblem(answer));
    }
    std::string line;
    while (std::getline(in, line)) {
      if (!on_line(line)) return {};
    }
    if (in.bad())
      return fail(ErrorCode::kUnavailable, "the answer from " + base_url_ + path + " was cut");
    return {};
  } catch (const std::exception& error) {
    if (on_answer_) on_answer_(path, 0);
    return fail(ErrorCode::kUnavailable,
                "no whole answer from " + base_url_ + path + ": " + error.what());
  }
}

Result<HttpAnswer> DirectoryClient::call(const std::string& method, const std::string& path,
                                         std::string_view body, const std::string& content_type) {
  auto answer = request(method, path, body, content_type);
  if (!answer) return answer;
  if (answer->status >= 200 && answer->status < 300) return answer;
  return std::unexpected(errorFromProblem(*answer));
}

}  // namespace keydir
