// HTTP requests through the CPS's router in process, as the reactor core
// would hand them over: every route of the private and the industry
// interface, any method, path (numbers, prefixes, ids), headers and body,
// against a real CPS in memory with a test PKI as its anchors. Whatever
// arrives, the answer is 2xx, 3xx or 4xx with a body that is JSON where it
// says so. Nothing is fetched: the x5u fetcher is replaced by a refusal.
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "certs/pki_directory.h"
#include "cps/cps_server.h"
#include "cps/routes.h"
#include "directory/http/router.h"
#include "tests/fuzz/routed_requests.h"

namespace {

struct Cps {
  Cps() {
    const auto dir =
        std::filesystem::temp_directory_path() / ("keydir-fuzz-cps-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    keydir::SystemClock clock;
    auto pki = keydir::PkiDirectory::init(dir / "pki", clock.now());
    if (!pki) __builtin_trap();
    keydir::DirectoryConfig config;
    config.name = "cps.test";
    config.listen = "127.0.0.1:0";
    config.access_log = "";
    config.trust = pki->trustFile().string();
    config.token_keys = (dir / "token-keys.json").string();
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
  keydir::fuzz::answerEachRequest(*cps.router, data, size);
  return 0;
}
