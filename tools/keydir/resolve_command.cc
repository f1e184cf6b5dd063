#include <nlohmann/json.hpp>

#include "certs/tn.h"
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
  options.positionals(1);
  if (auto exit = options.parse(args)) return *exit;
  if (!options.has("trust")) return options.usageError("--trust is required");
  auto client = clientFrom(options);
  if (!client) return options.usageError(client.error().message);
  auto tn = canonicalTn(options.positional()[0]);
  if (!tn) return reportError(tn.error());
  auto party = relyingPartyFrom(options);
  if (!party) return reportError(party.error());

  Instant now = nowInstant();
  auto keys = checkedKeys(*client, *tn, *party, now);
  if (!keys) return reportError(keys.error());
  auto cps = checkedCps(*client, *tn, *party, now, options.has("accept-provisioned"));
  if (!cps) return reportError(cps.error());
  printJson(nlohmann::json{{"tn", *tn},
                           {"keys", keys->accepted},
                           {"cps", cps->accepted},
                           {"rejected", {{"keys", keys->rejected}, {"cps", cps->rejected}}}}
                .dump(2));
  return keys->rejected.empty() && cps->rejected.empty() ? kExitOk : kExitRefused;
}

}  // namespace keydir::tool
