// keydir: one program, subcommands dispatched from the table below
// (docs/design.md section 11). Each subcommand lives in its own file.

#include <iostream>
#include <string_view>
#include <vector>

#include "tools/keydir/command.h"

namespace keydir::tool {
namespace {

constexpr Command kCommands[] = {
    {"pki init", "make a test STI-CA (root and intermediate) in a directory", runPkiInit},
    {"pki issue", "issue a STIR certificate from a test STI-CA", runPkiIssue},
    {"cert inspect", "show a certificate as JSON, TNAuthList included", runCertInspect},
    {"credential new", "make an ECDH key and its delegated credential", runCredentialNew},
    {"serve", "run the directory over HTTP or HTTPS", runServe},
    {"cache", "run a caching proxy of a directory, inside your own network", runCache},
    // Before "cps": the first name that fits is taken.
    {"cps store", "leave what `keydir encrypt` made at the callee's CPS", runCpsStore},
    {"cps tokens", "fetch storage tokens from a CPS as a STIR certificate's holder", runCpsTokens},
    {"cps fetch", "fetch a number's entries from a CPS, decrypt and verify them", runCpsFetch},
    {"cps", "run a Call Placement Service, where encrypted PASSporTs are left", runCps},
    {"register", "register a credential with a directory", runRegister},
    {"lookup", "a TN's keys from a directory, each verified here", runLookup},
    {"revoke", "revoke a key with a signed request", runRevoke},
    {"advertise", "sign (and publish) a CPS advertisement", runAdvertise},
    {"resolve", "a TN's keys and CPS from a directory, each verified here", runResolve},
    {"spc import", "load an SPC map CSV into a directory's database", runSpcImport},
    {"import", "seed a directory's database from NDJSON credentials", runImport},
    {"withdraw", "take a record out of a directory at once (an operator's removal)", runWithdraw},
    {"passport sign", "sign a PASSporT (RFC 8225) as a caller's authentication service",
     runPassportSign},
    {"passport verify", "check a PASSporT as a verification service (RFC 8816 8.2)",
     runPassportVerify},
    {"encrypt", "encrypt a PASSporT to every verified key of a TN", runEncrypt},
    {"decrypt", "decrypt a JWE with an ECDH private key", runDecrypt},
    {"backup", "copy a directory's or cache's database while it runs", runBackup},
    {"migrate", "copy a SQLite directory into an empty PostgreSQL database", runMigrate},
    {"demo", "the whole flow on loopback: register, resolve, encrypt, decrypt, verify", runDemo},
};

void printOverview() {
  std::cout << "usage: keydir SUBCOMMAND [options]\n"
               "       keydir --version\n\n"
               "The key and CPS directory for STIR out-of-band calling.\n\nsubcommands:\n";
  for (const Command& command : kCommands) {
    std::string name(command.name);
    name.resize(18, ' ');
    std::cout << "  " << name << command.summary << "\n";
  }
  std::cout << "\n'keydir SUBCOMMAND --help' documents each.\n";
}

}  // namespace
}  // namespace keydir::tool

int main(int argc, char** argv) {
  using namespace keydir::tool;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    printOverview();
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (args[0] == "--version") {
    std::cout << "keydir " << KEYDIR_VERSION << "\n";
    return kExitOk;
  }
  for (const Command& command : kCommands) {
    std::string_view name = command.name;
    std::size_t space = name.find(' ');
    bool one_word = space == std::string_view::npos;
    if (one_word && args[0] == name) {
      return command.run({args.begin() + 1, args.end()});
    }
    if (!one_word && args.size() >= 2 && args[0] == name.substr(0, space) &&
        args[1] == name.substr(space + 1)) {
      return command.run({args.begin() + 2, args.end()});
    }
  }
  std::cerr << "keydir: usage error: unknown subcommand '" << args[0];
  if (args.size() > 1) std::cerr << ' ' << args[1];
  std::cerr << "'\n";
  printOverview();
  return kExitUsage;
}
