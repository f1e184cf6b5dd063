#include "tests/support/test_proxy.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/StreamCopier.h>

#include <stdexcept>

namespace keydir::testing {

struct TestProxy::State {
  std::mutex mutex;
  std::string upstream;
  std::vector<std::string> requests;
  Rewrite rewrite;
  bool down = false;
};

namespace {

class Forward : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Forward(std::shared_ptr<TestProxy::State> state) : state_(std::move(state)) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    std::string body;
    Poco::StreamCopier::copyToString(request.stream(), body);
    std::string upstream;
    TestProxy::Rewrite rewrite;
    bool down = false;
    {
      std::lock_guard lock(state_->mutex);
      state_->requests.push_back(request.getMethod() + " " + request.getURI());
      upstream = state_->upstream;
      rewrite = state_->rewrite;
      down = state_->down;
    }
    int status = 503;
    std::string answer_body = R"({"type":"about:blank","title":"proxy: upstream down"})";
    std::string content_type = "application/problem+json";
    if (!down) {
      auto client = DirectoryClient::create(upstream);
      auto answer = client ? client->request(request.getMethod(), request.getURI(), body,
                                             request.getContentType())
                           : Result<HttpAnswer>(std::unexpected(client.error()));
      if (answer) {
        status = answer->status;
        answer_body = std::move(answer->body);
        content_type = answer->headers["content-type"];
        for (const char* name : {"etag", "cache-control", "age"}) {
          if (answer->headers.contains(name)) response.set(name, answer->headers[name]);
        }
      } else {
        status = 502;
      }
    }
    if (rewrite) rewrite(request.getMethod(), request.getURI(), status, answer_body);
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    response.setContentType(content_type);
    response.setContentLength(static_cast<std::streamsize>(answer_body.size()));
    response.send() << answer_body;
  }

 private:
  std::shared_ptr<TestProxy::State> state_;
};

class ForwardFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit ForwardFactory(std::shared_ptr<TestProxy::State> state) : state_(std::move(state)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Forward(state_);
  }

 private:
  std::shared_ptr<TestProxy::State> state_;
};

}  // namespace

TestProxy::TestProxy(const std::string& upstream_url) : state_(std::make_shared<State>()) {
  state_->upstream = upstream_url;
  HttpServerOptions options;
  options.listen = "127.0.0.1:0";
  options.max_threads = 32;
  options.core = "threads";
  auto server = HttpServer::listen(options);
  if (!server) throw std::runtime_error("test proxy: " + server.error().message);
  server_ = std::move(*server);
  server_->startPocoFactory(new ForwardFactory(state_));
}

TestProxy::~TestProxy() { server_->stop(); }

std::string TestProxy::url() const { return server_->baseUrl(); }

std::vector<std::string> TestProxy::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}

void TestProxy::clearRequests() {
  std::lock_guard lock(state_->mutex);
  state_->requests.clear();
}

void TestProxy::setRewrite(Rewrite rewrite) {
  std::lock_guard lock(state_->mutex);
  state_->rewrite = std::move(rewrite);
}

void TestProxy::setDown(bool down) {
  std::lock_guard lock(state_->mutex);
  state_->down = down;
}

void TestProxy::setUpstream(const std::string& upstream_url) {
  std::lock_guard lock(state_->mutex);
  state_->upstream = upstream_url;
}

}  // namespace keydir::testing
