// HTTP requests through the directory's router in process: method, path,
// headers and body as the reactor core would hand them over, against a
// real directory (SQLite file, test PKI). Whatever arrives, the answer is
// a 2xx, 3xx or 4xx with a body that is JSON where it says so: a 5xx means
// the server failed at something a client sent (the %ff defect of issue
// 13 was one).
#include <Poco/Net/HTTPResponse.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>

#include "certs/pki_directory.h"
#include "directory/http/request_parser.h"
#include "directory/http/router.h"
#include "directory/server/directory_server.h"
#include "directory/server/routes.h"

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
  keydir::RequestParser parser;
  parser.feed(std::string_view(reinterpret_cast<const char*>(data), size));
  while (auto request = parser.next()) {
    CapturingTransport transport(*request);
    directory.router->handle(transport);
    if (transport.status == 0 || transport.status >= 500) __builtin_trap();
    if (transport.content_type.find("json") != std::string::npos &&
        nlohmann::json::parse(transport.answer, nullptr, false).is_discarded()) {
      __builtin_trap();
    }
  }
  return 0;
}
