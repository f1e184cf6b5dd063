#include <fstream>
#include <nlohmann/json.hpp>

#include "certs/in_memory_spc_map.h"
#include "certs/pki_directory.h"
#include "tools/keydir/command.h"
#include "tools/keydir/options.h"

namespace keydir::tool {

int runPkiIssue(const std::vector<std::string_view>& args) {
  Options options(
      "keydir pki issue DIR --name NAME --type sp|enterprise|delegate-ca "
      "[--issuer NAME] (--spc CODE | --range START-COUNT | --tn TN | --scope S)...",
      "Issues a STIR certificate (RFC 8226) from the test STI-CA in DIR and writes\n"
      "DIR/NAME.pem, DIR/NAME.key and DIR/NAME.chain.pem (give the chain to other\n"
      "commands). Types: sp, a service provider that signs and may issue RFC 9060\n"
      "delegates; enterprise, an end entity; delegate-ca, an RFC 9060 delegate CA.\n"
      "The TNAuthList must lie inside the issuer's, unless --allow-overreach.");
  options.positionals(1)
      .value("name", "file name of the new certificate in DIR")
      .value("type", "sp, enterprise or delegate-ca")
      .value("issuer", "name of the issuing certificate in DIR (default: intermediate)")
      .value("spc", "service provider code, TNAuthList entry 0-CODE", true)
      .value("range", "START-COUNT, entry 1-START-COUNT", true)
      .value("tn", "one telephone number, entry 2-TN", true)
      .value("scope", "a scope string as written in docs/design.md section 2", true)
      .value("cn", "subject common name (default: NAME)")
      .value("days", "validity in days (default: 365)")
      .value("spc-map", "CSV of scope,spc lines to resolve SPC entries when checking")
      .flag("no-delegation-usage", "leave out the DelegationUsage extension")
      .flag("allow-overreach", "issue even if the numbers exceed the issuer's (bad test data)");
  if (auto exit = options.parse(args)) return *exit;
  if (!options.has("name") || !options.has("type")) {
    return options.usageError("--name and --type are required");
  }

  auto kind = parseCertificateKind(*options.get("type"));
  if (!kind) return reportError(kind.error());
  IssueRequest request;
  request.name = *options.get("name");
  request.kind = *kind;
  request.issuer = options.get("issuer", "intermediate");
  request.common_name = options.get("cn", "");
  request.delegation_usage = !options.has("no-delegation-usage");
  request.allow_overreach = options.has("allow-overreach");
  std::vector<std::string> scope_texts = options.all("scope");
  for (const auto& spc : options.all("spc")) scope_texts.push_back("0-" + spc);
  for (const auto& range : options.all("range")) scope_texts.push_back("1-" + range);
  for (const auto& tn : options.all("tn")) scope_texts.push_back("2-" + tn);
  auto scopes = parseScopes(scope_texts);
  if (!scopes) return reportError(scopes.error());
  request.scopes = std::move(*scopes);
  if (auto days = options.get("days")) {
    auto duration = parseDuration(*days + "d");
    if (!duration || duration->count() == 0) {
      return options.usageError("--days wants a whole number of days above zero");
    }
    request.validity = *duration;
  }
  InMemorySpcMap spc_map;
  if (auto file = options.get("spc-map")) {
    std::ifstream csv(*file);
    if (!csv) return reportError({ErrorCode::kNotFound, "cannot read " + *file});
    if (auto loaded = spc_map.loadCsv(csv); !loaded) return reportError(loaded.error());
  }

  auto pki = PkiDirectory::open(options.positional()[0]);
  if (!pki) return reportError(pki.error());
  auto files = pki->issue(request, nowInstant(), &spc_map);
  if (!files) return reportError(files.error());
  printJson(nlohmann::json{{"certificate", files->certificate.string()},
                           {"key", files->key.string()},
                           {"chain", files->chain.string()},
                           {"tnauthlist", scopeStrings(request.scopes)}}
                .dump(2));
  return kExitOk;
}

}  // namespace keydir::tool
