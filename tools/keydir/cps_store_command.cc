#include <filesystem>
#include <nlohmann/json.hpp>

#include "advertise/cps_uri.h"
#include "certs/json_fields.h"
#include "certs/tn.h"
#include "cps/entry_rules.h"
#include "cps/storage_token_client.h"
#include "directory/client/directory_client.h"
#include "tools/keydir/command.h"
#include "tools/keydir/options.h"
#include "tools/keydir/stdin_text.h"

namespace keydir::tool {

int runCpsStore(const std::vector<std::string_view>& args) {
  Options options(
      "keydir cps store --tokens FILE [--cps URL] [--tls-ca PEM] < encrypted.json",
      "What a caller's authentication service does after `keydir encrypt` (RFC 8816\n"
      "section 8.1): leaves the JWEs it printed as one entry at the CPS serving the\n"
      "called number, the first CPS URI it names (or --cps), on a connection of its\n"
      "own, spending one storage token from FILE (`keydir cps tokens`). Prints\n"
      "{\"cps\", \"tn\", \"id\", \"expires\", \"location\", \"tokens_left\"}; exits 1 when the\n"
      "CPS refuses, saying why.");
  options.value("cps", "the CPS's URI (default: the first that encrypt's output names)")
      .value("tokens", "the token file `keydir cps tokens` wrote for this CPS")
      .value("tls-ca", "PEM bundle that signed the CPS's TLS certificate");
  if (auto exit = options.parse(args)) return *exit;
  if (!options.get("tokens")) {
    return options.usageError("--tokens FILE is needed: a store spends a storage token");
  }
  auto input = nlohmann::json::parse(stdinToken(), nullptr, false);
  if (!input.is_object() || !input.contains("jwes")) {
    return options.usageError("give what `keydir encrypt` printed on stdin");
  }
  auto tn = canonicalTn(textField(input, "tn"));
  if (!tn) return reportError(tn.error());
  std::string cps = options.get("cps", "");
  if (cps.empty() && input.contains("cps") && input["cps"].is_array() && !input["cps"].empty() &&
      input["cps"][0].is_string()) {
    cps = input["cps"][0].get<std::string>();
  }
  if (cps.empty()) return options.usageError("no CPS: encrypt's output names none; give --cps");
  const CpsBase base = cpsBase(cps);
  auto jwes = entryJwesFromBody(input.dump(), "application/json");
  if (!jwes) return reportError(jwes.error());
  const std::filesystem::path tokens_file = *options.get("tokens");
  auto wallet = readTokenWallet(tokens_file);
  if (!wallet) return reportError(wallet.error());
  if (wallet->cps != cps) {
    return options.usageError(tokens_file.string() + " holds tokens of " + wallet->cps +
                              ", not of " + cps);
  }
  if (wallet->tokens.empty()) {
    return options.usageError(tokens_file.string() +
                              " has no tokens left; fetch more with `keydir cps tokens`");
  }
  // Taken out of the file before it is sent, so that no two stores send
  // the same token; put back only if the CPS never answered.
  const std::string token = wallet->tokens.front();
  wallet->tokens.erase(wallet->tokens.begin());
  if (auto ok = writeTokenWallet(tokens_file, *wallet); !ok) return reportError(ok.error());
  // A fresh client per store: nothing ties this store to any other.
  auto client = DirectoryClient::create(base.origin, options.get("tls-ca", ""));
  if (!client) return reportError(client.error());
  auto answer = client->request("POST", base.path + "/cps/" + *tn + "/ppts",
                                nlohmann::json{{"jwes", *jwes}}.dump(), "application/json",
                                {{"Authorization", privateTokenAuthorization(token)}});
  if (!answer) {
    wallet->tokens.insert(wallet->tokens.begin(), token);
    if (auto ok = writeTokenWallet(tokens_file, *wallet); !ok) return reportError(ok.error());
    return reportError(answer.error());
  }
  if (answer->status / 100 != 2) return reportError(errorFromProblem(*answer));
  auto stored = nlohmann::json::parse(answer->body, nullptr, false);
  printJson(
      nlohmann::json{{"cps", cps},
                     {"tn", *tn},
                     {"id", textField(stored, "id")},
                     {"expires", textField(stored, "expires")},
                     {"location", answer->headers.count("location") ? answer->headers.at("location")
                                                                    : std::string()},
                     {"tokens_left", wallet->tokens.size()}}
          .dump(2));
  return kExitOk;
}

}  // namespace keydir::tool
