#include <nlohmann/json.hpp>

#include "tools/keydir/client_options.h"
#include "tools/keydir/command.h"
#include "tools/keydir/relying_party.h"

namespace keydir::tool {

int runLookup(const std::vector<std::string_view>& args) {
  Options options(
      "keydir lookup TN --server URL --trust PEM [--spc-map CSV] [--tls-ca PEM]",
      "Asks the directory for TN's keys and verifies each record here, against --trust\n"
      "(the directory is not trusted). Prints {\"tn\", \"keys\": [verified records],\n"
      "\"rejected\": [{\"id\", \"problem\", \"detail\"}]}; exits 1 if any record was rejected.\n"
      "Keys scoped by SPC, and delegations that rely on one, need --spc-map to verify.");
  addRelyingPartyOptions(addServerOptions(options));
  auto question = tnQuestionFrom(options, args);
  if (auto* exit = std::get_if<int>(&question)) return *exit;
  auto& [client, tn, party] = std::get<TnQuestion>(question);

  auto keys = checkedKeys(client, tn, party, nowInstant());
  if (!keys) return reportError(keys.error());
  printJson(
      nlohmann::json{{"tn", tn}, {"keys", keys->accepted}, {"rejected", keys->rejected}}.dump(2));
  return keys->rejected.empty() ? kExitOk : kExitRefused;
}

}  // namespace keydir::tool
