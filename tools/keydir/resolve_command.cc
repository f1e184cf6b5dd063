#include <nlohmann/json.hpp>

#include "tools/keydir/client_options.h"
#include "tools/keydir/command.h"
#include "tools/keydir/relying_party.h"

namespace keydir::tool {

int runResolve(const std::vector<std::string_view>& args) {
  Options options(
      "keydir resolve TN --server URL --trust PEM [--spc-map CSV] [--accept-provisioned]\n"
      "       [--tls-ca PEM]",
      "What a caller needs before it stores a PASSporT for TN (RFC 8816 sections 10\n"
      "and 11): the callee's keys and the CPS that serves TN, each verified here\n"
      "against --trust. Prints {\"tn\", \"keys\": [key records], \"cps\": [{\"uri\",\n"
      "\"scope\", \"ad\", \"jws\"}] most specific first, \"rejected\": {\"keys\": [...],\n"
      "\"cps\": [...]}}; exits 1 if anything was rejected.\n"
      "Provisioned CPS entries (closed networks) carry no signature and are rejected\n"
      "unless --accept-provisioned.");
  addRelyingPartyOptions(addServerOptions(options))
      .flag("accept-provisioned", "keep the directory's unsigned, provisioned CPS entries");
  auto question = tnQuestionFrom(options, args);
  if (auto* exit = std::get_if<int>(&question)) return *exit;
  auto& [client, tn, party] = std::get<TnQuestion>(question);

  Instant now = nowInstant();
  auto keys = checkedKeys(client, tn, party, now);
  if (!keys) return reportError(keys.error());
  auto cps = checkedCps(client, tn, party, now, options.has("accept-provisioned"));
  if (!cps) return reportError(cps.error());
  printJson(nlohmann::json{{"tn", tn},
                           {"keys", keys->accepted},
                           {"cps", cps->accepted},
                           {"rejected", {{"keys", keys->rejected}, {"cps", cps->rejected}}}}
                .dump(2));
  return keys->rejected.empty() && cps->rejected.empty() ? kExitOk : kExitRefused;
}

}  // namespace keydir::tool
