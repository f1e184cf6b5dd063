#include "cps/cps_server.h"
#include "tools/keydir/command.h"
#include "tools/keydir/options.h"
#include "tools/keydir/run_server.h"

namespace keydir::tool {

int runCps(const std::vector<std::string_view>& args) {
  Options options(
      "keydir cps --listen HOST:PORT --name HOST --trust PEM [--directory URL]\n"
      "       [--directory-ca PEM] [--store memory|redis://HOST:PORT[/DB]] [--tls-ca PEM]\n"
      "       [--tls-cert C --tls-key K] [--config FILE] [--set NAME=VALUE]... [--print-config]",
      "Runs a Call Placement Service (docs/design.md section 13, RFC 8816 sections 6, 7.5 and 9)\n"
      "until SIGINT or SIGTERM: callers leave encrypted PASSporTs under the called number\n"
      "(POST /cps/{tn}/ppts) and callees fetch them by number, id or prefix, among dummies\n"
      "shaped like real entries, so that whoever polls a number cannot tell whether a\n"
      "call is in progress. Entries are gone after max_age_seconds (60 at most). A\n"
      "store spends a storage token (Privacy Pass, RFC 9577 and 9578), which holders of\n"
      "a STIR certificate under --trust fetch from POST /cps/token-request (`keydir cps\n"
      "tokens`). It also serves the plaintext industry interface of today's SHAKEN\n"
      "carriers (/passports/[SPC/]DEST/ORIG, each request with a JWT signed with a STIR\n"
      "certificate). Settings resolve as for `keydir serve`.");
  options.value("name", "the CPS's host name as advertised")
      .value("directory", "a keydir directory or cache naming each number's keys, for dummies")
      .value("directory-ca", "PEM bundle that signed an https --directory")
      .value("store", "memory (default), or redis://HOST:PORT[/DB] shared with other CPS processes")
      .value("trust",
             "PEM bundle of STI-CA roots: who may fetch storage tokens, and carriers' JWTs")
      .value("tls-ca", "PEM bundle for fetching https x5u URLs of a private CA")
      .value("crl", "PEM CRL file", true)
      .value("spc-map", "CSV of scope,spc lines, for carriers' delegate chains under an SPC");
  addServerSettingOptions(options);
  if (auto exit = options.parse(args)) return *exit;

  return runServer<CpsServer>(
      options, {"name", "directory", "directory-ca", "store", "trust", "tls-ca", "crl", "spc-map"},
      [](const DirectoryConfig& config) { return CpsServer::create(config); },
      [](const DirectoryConfig& config, CpsServer& server) {
        return "CPS " + config.name + " listening on " + server.baseUrl() + config.base_path;
      });
}

}  // namespace keydir::tool
