#include "cache/cache_server.h"
#include "tools/keydir/command.h"
#include "tools/keydir/options.h"
#include "tools/keydir/run_server.h"

namespace keydir::tool {

int runCache(const std::vector<std::string_view>& args) {
  Options options(
      "keydir cache --upstream URL --trust PEM --listen HOST:PORT --db FILE "
      "[--mode mirror|buckets] [--decoys N] [--address-book FILE] [--upstream-ca PEM] "
      "[--tls-cert C --tls-key K] [--config FILE] [--set NAME=VALUE]... [--print-config]",
      "Runs a caching proxy of a keydir directory (docs/design.md section 8) until SIGINT or\n"
      "SIGTERM: the directory's read API, answered from a copy of the directory kept\n"
      "in --db and verified against --trust, so that the directory never learns which\n"
      "number was looked up. Settings resolve as for `keydir serve`.");
  options.value("upstream", "the directory's base URL, http:// or https://")
      .value("upstream-ca", "PEM bundle that signed an https upstream (default: the system's)")
      .value("trust", "PEM bundle of STI-CA roots; nothing is trusted by default")
      .value("crl", "PEM CRL file", true)
      .value("db", "the cache's own SQLite file (created if missing)")
      .value("mode", "mirror (default: the whole directory) or buckets")
      .value("decoys", "buckets mode: decoy buckets fetched with each miss (default 3)")
      .value("address-book", "buckets mode: file of TNs, one a line, kept fresh");
  addServerSettingOptions(options);
  if (auto exit = options.parse(args)) return *exit;

  return runServer<CacheServer>(
      options, {"upstream", "upstream-ca", "trust", "crl", "db", "mode", "decoys", "address-book"},
      [](const DirectoryConfig& config) { return CacheServer::create(config); },
      [](const DirectoryConfig& config, CacheServer& server) {
        return "cache (" + config.mode + ") of " + config.upstream + " listening on " +
               server.baseUrl();
      });
}

}  // namespace keydir::tool
