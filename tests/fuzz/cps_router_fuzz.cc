// HTTP requests through the CPS's router in process, as the reactor core
// would hand them over: every route of the private and the industry
// interface, any method, path (numbers, prefixes, ids), headers and body,
// against a real CPS in memory with a test PKI as its anchors. Whatever
// arrives, the answer is 2xx, 3xx or 4xx with a body that is JSON where it
// says so. Nothing is fetched: the x5u fetcher is replaced by a refusal.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>

#include "cps/cps_server.h"
#include "cps/routes.h"
#include "directory/http/request_parser.h"
#include "directory/http/router.h"
#include "certs/pki_directory.h"

namespace {

class CapturingTransport : public keydir::HttpTransport {
 public:
  explicit CapturingTransport(keydir::ParsedRequest& request) : request_(request) {}
  const Poco::Net::HTTPRequest& head() const override { return request_.head; }
  std::string clientHost() const override { return "127.0.0.1"; }
  keydir::Result<std::string> body(std::size_t) override { return request_.body; }
  void sendPieces(Poco::Net::HTTPResponse& response,
                  std::span<const keydir::BodyPiece> body) override {
    status = int(response.getStatus());
    content_type = response.getContentType();
    answer.clear();
    for (const keydir::BodyPiece& piece : body) answer += piece.bytes;
  }
  std::ostream& startStream(Poco::Net::HTTPResponse& response) override {
    status = int(response.getStatus());
    return stream;
  }
  int status = 0;
  std::string content_type;
  std::string answer;
  std::ostringstream stream;

 private:
  keydir::ParsedRequest& request_;
};

struct Cps {
  Cps() {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("keydir-fuzz-cps-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    keydir::SystemClock clock;
    auto pki = keydir::PkiDirectory::init(dir / "pki", clock.now());
    if (!pki) __builtin_trap();
    keydir::DirectoryConfig config;
    config.name = "cps.test";
    config.listen = "127.0.0.1:0";
    config.access_log = "";
    config.trust = pki->trustFile().string();
    config.write_rate_per_second = 1e9;
    config.write_burst = 1e9;
    server = std::move(keydir::CpsServer::create(config, nullptr, std::string(32, 'k')).value());
    keydir::CpsService& service = server->service();
    service.chains = std::make_unique<keydir::ChainCache>(
        [](const std::string&) -> keydir::Result<std::vector<keydir::X509Ptr>> {
          return keydir::fail(keydir::ErrorCode::kMalformed, "this fuzz target fetches nothing");
        },
        std::chrono::seconds(60));
    service.bearer.chains = service.chains.get();
    routes = keydir::cpsRoutes("", patterns);
    router = std::make_unique<keydir::Router>(service, routes);
    std::filesystem::remove_all(dir);
  }
  std::unique_ptr<keydir::CpsServer> server;
  std::vector<std::string> patterns;
  std::vector<keydir::Route> routes;
  std::unique_ptr<keydir::Router> router;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Cps cps;
  keydir::RequestParser parser;
  parser.feed(std::string_view(reinterpret_cast<const char*>(data), size));
  while (auto request = parser.next()) {
    CapturingTransport transport(*request);
    cps.router->handle(transport);
    if (transport.status == 0 || transport.status >= 500) __builtin_trap();
    if (transport.content_type.find("json") != std::string::npos &&
        nlohmann::json::parse(transport.answer, nullptr, false).is_discarded()) {
      __builtin_trap();
    }
  }
  return 0;
}
