#pragma once
// `keydir cps` as a running server (docs/design.md section 13): its store (in
// memory, or Redis shared with other CPS processes), the directory that
// names each number's keys for the dummies, and its routes over HTTP or
// HTTPS, with a sweeper that forgets what aged out.

#include <memory>
#include <string>
#include <vector>

#include "cps/cps_service.h"
#include "directory/background_thread.h"
#include "directory/http/http_server.h"
#include "directory/http/router.h"

namespace keydir {

class CpsServer {
 public:
  // `clock` must outlive the server; null means the system clock. `secret`
  // makes the dummies (DummyMaker); empty means a random one.
  static Result<std::unique_ptr<CpsServer>> create(const DirectoryConfig& config,
                                                   const Clock* clock = nullptr,
                                                   std::string secret = "");
  ~CpsServer();

  void start();
  void stop();
  int port() const;
  std::string baseUrl() const;
  CpsService& service() { return *service_; }

 private:
  CpsServer() = default;

  SystemClock system_clock_;
  std::unique_ptr<CpsService> service_;
  std::vector<std::string> patterns_;
  std::vector<Route> routes_;
  std::unique_ptr<HttpServer> http_;
  BackgroundThread sweeper_;
};

// The board's rules a configuration asks for.
BoardRules boardRulesFromConfig(const DirectoryConfig& config);

}  // namespace keydir
