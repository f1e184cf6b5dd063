#include <nlohmann/json.hpp>

#include "certs/pki_directory.h"
#include "tools/keydir/command.h"
#include "tools/keydir/options.h"

namespace keydir::tool {

int runPkiInit(const std::vector<std::string_view>& args) {
  Options options("keydir pki init DIR",
                  "Makes a test STI-CA in DIR: a self-signed root, an intermediate under it,\n"
                  "and trust.pem (the anchor bundle for --trust). Refuses a DIR that already\n"
                  "holds one. For testing only: the keys sit unencrypted on disk.");
  options.positionals(1);
  if (auto exit = options.parse(args)) return *exit;

  auto pki = PkiDirectory::init(options.positional()[0], nowInstant());
  if (!pki) return reportError(pki.error());
  printJson(nlohmann::json{{"trust", pki->trustFile().string()},
                           {"root", (pki->dir() / "root.pem").string()},
                           {"intermediate", (pki->dir() / "intermediate.pem").string()}}
                .dump(2));
  return kExitOk;
}

}  // namespace keydir::tool
