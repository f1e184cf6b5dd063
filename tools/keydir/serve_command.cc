#include "directory/server/directory_server.h"
#include "tools/keydir/command.h"
#include "tools/keydir/options.h"
#include "tools/keydir/run_server.h"

namespace keydir::tool {

int runServe(const std::vector<std::string_view>& args) {
  Options options(
      "keydir serve --db FILE|URI --trust PEM --listen HOST:PORT [--tls-cert C --tls-key K] "
      "[--spc-map CSV] [--config FILE] [--set NAME=VALUE]... [--print-config]",
      "Runs the directory (docs/design.md section 6) until SIGINT or SIGTERM. Settings resolve in\n"
      "one place: built-in defaults, then --config (a JSON object of settings), then\n"
      "the flags below and --set for any other setting. --print-config prints the\n"
      "result as JSON and exits.");
  options.value("db", "SQLite file (created if missing), or a postgresql:// URI")
      .value("trust", "PEM bundle of STI-CA roots; nothing is trusted by default")
      .value("crl", "PEM CRL file", true)
      .value("spc-map", "CSV of scope,spc lines imported at start")
      .value("public-url", "base URL clients reach the directory at (for x5u)");
  addServerSettingOptions(options);
  if (auto exit = options.parse(args)) return *exit;

  return runServer<DirectoryServer>(
      options, {"db", "trust", "crl", "spc-map", "public-url"},
      [](const DirectoryConfig& config) { return DirectoryServer::create(config); },
      [](const DirectoryConfig& config, DirectoryServer& server) {
        return std::string("directory listening on ") + (config.usesTls() ? "https" : "http") +
               "://" + config.listen.substr(0, config.listen.rfind(':')) + ":" +
               std::to_string(server.port());
      });
}

}  // namespace keydir::tool
