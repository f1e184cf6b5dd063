#pragma once
// An HTTP proxy on 127.0.0.1 for tests: forwards every request to an
// upstream (a directory), records each request line it forwarded, and can
// alter an answer on its way back. Recording shows what a cache asked the
// directory; altering makes a lying directory out of an honest one.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "directory/client/directory_client.h"
#include "directory/http/http_server.h"

namespace keydir::testing {

class TestProxy {
 public:
  // Changes an answer: the request's method and target, the answer's
  // status and body as the upstream gave them.
  using Rewrite = std::function<void(const std::string& method, const std::string& target,
                                     int& status, std::string& body)>;

  explicit TestProxy(const std::string& upstream_url);
  ~TestProxy();

  std::string url() const;
  // "GET /v1/changes?since=3&limit=1000", in the order asked.
  std::vector<std::string> requests() const;
  void clearRequests();
  void setRewrite(Rewrite rewrite);
  // Answers 503 to everything, as a directory behind a load balancer does
  // while it is down.
  void setDown(bool down);
  // Forwards to another upstream from now on, as a load balancer repointed.
  void setUpstream(const std::string& upstream_url);

  struct State;

 private:
  std::shared_ptr<State> state_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace keydir::testing
