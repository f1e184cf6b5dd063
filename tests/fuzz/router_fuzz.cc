// HTTP requests through the directory's router in process: method, path,
// headers and body as the reactor core would hand them over, against a
// real directory (SQLite file, test PKI). Whatever arrives, the answer is
// a 2xx, 3xx or 4xx with a body that is JSON where it says so: a 5xx means
// the server failed at something a client sent (the %ff defect of issue
// 13 was one).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "certs/pki_directory.h"
#include "directory/http/router.h"
#include "directory/server/directory_server.h"
#include "directory/server/routes.h"
#include "tests/fuzz/routed_requests.h"

namespace {

struct Directory {
  Directory() {
    dir = std::filesystem::temp_directory_path() / ("keydir-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    keydir::SystemClock clock;
    auto pki = keydir::PkiDirectory::init(dir / "pki", clock.now());
    if (!pki) __builtin_trap();
    keydir::DirectoryConfig config;
    config.db = (dir / "fuzz.db").string();
    config.trust = pki->trustFile().string();
    config.listen = "127.0.0.1:0";
    config.access_log = "";
    server = std::move(keydir::DirectoryServer::create(config).value());
    router = std::make_unique<keydir::Router>(server->service(), keydir::directoryRoutes());
  }
  ~Directory() { std::filesystem::remove_all(dir); }
  std::filesystem::path dir;
  std::unique_ptr<keydir::DirectoryServer> server;
  std::unique_ptr<keydir::Router> router;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Directory directory;
  keydir::fuzz::answerEachRequest(*directory.router, data, size);
  return 0;
}
