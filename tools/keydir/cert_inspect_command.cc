#include <nlohmann/json.hpp>

#include "certs/certificate_info.h"
#include "certs/pem.h"
#include "tools/keydir/command.h"
#include "tools/keydir/options.h"

namespace keydir::tool {

int runCertInspect(const std::vector<std::string_view>& args) {
  Options options("keydir cert inspect PEM [--all]",
                  "Prints the first certificate of PEM as JSON: subject, issuer, serial,\n"
                  "validity, ca, tnauthlist (scope strings), delegation_usage, sha256.\n"
                  "Exits 1 when a TNAuthList is present but does not decode; the JSON\n"
                  "then says why in tnauthlist_error.");
  options.positionals(1).flag("all", "print every certificate in PEM, as a JSON array");
  if (auto exit = options.parse(args)) return *exit;

  auto certificates = loadCertificates(options.positional()[0]);
  if (!certificates) return reportError(certificates.error());
  nlohmann::json all = nlohmann::json::array();
  bool every_list_decodes = true;
  for (const auto& certificate : *certificates) {
    nlohmann::json info = describeCertificate(certificate.get());
    every_list_decodes = every_list_decodes && !info.contains("tnauthlist_error");
    all.push_back(std::move(info));
    if (!options.has("all")) break;
  }
  printJson((options.has("all") ? all : all.front()).dump(2));
  return every_list_decodes ? kExitOk : kExitRefused;
}

}  // namespace keydir::tool
