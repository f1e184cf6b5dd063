#include <iostream>

#include "certs/json_fields.h"
#include "certs/jwe.h"
#include "certs/pem.h"
#include "tools/keydir/client_options.h"
#include "tools/keydir/command.h"
#include "tools/keydir/relying_party.h"
#include "tools/keydir/stdin_text.h"

namespace keydir::tool {

int runEncrypt(const std::vector<std::string_view>& args) {
  Options options(
      "keydir encrypt --tn TN --server URL --trust PEM [--spc-map CSV] [--crl PEM...]\n"
      "       [--tls-ca PEM] < passport",
      "What an authentication service does before it stores a PASSporT at a CPS\n"
      "(RFC 8816 section 8.1): resolves TN through a directory or a cache, verifies\n"
      "every key record and CPS entry here against --trust, and encrypts the\n"
      "PASSporT on stdin to each verified key, one JWE (ECDH-ES, A256GCM, kid = the\n"
      "key's id) per key. Prints {\"tn\", \"jwes\": [{\"kid\", \"alg\", \"jwe\"}], \"cps\":\n"
      "[URIs, most specific first], \"rejected\": {\"keys\", \"cps\"}}. Exits 0 when it\n"
      "encrypted to at least one key, 1 when to none.");
  addRelyingPartyOptions(addServerOptions(options)).value("tn", "the called number");
  if (auto exit = options.parse(args)) return *exit;
  if (!options.has("tn") || !options.has("trust")) {
    return options.usageError("--tn and --trust are required");
  }
  auto question = tnQuestionFrom(options, *options.get("tn"));
  if (!question) return reportError(question.error());
  auto& [client, tn, party] = *question;
  const std::string passport = stdinToken();
  if (passport.empty()) return options.usageError("give the PASSporT on stdin");

  const Instant now = nowInstant();
  auto keys = checkedKeys(client, tn, party, now);
  if (!keys) return reportError(keys.error());
  auto cps = checkedCps(client, tn, party, now, false);
  if (!cps) return reportError(cps.error());
  Encrypted encrypted = encryptToKeys(passport, keys->accepted);
  nlohmann::json rejected_keys = keys->rejected;
  for (const auto& rejected : encrypted.rejected) rejected_keys.push_back(rejected);
  nlohmann::json uris = nlohmann::json::array();
  for (const auto& entry : cps->accepted) uris.push_back(textField(entry, "uri"));
  printJson(nlohmann::json{{"tn", tn},
                           {"jwes", encrypted.jwes},
                           {"cps", uris},
                           {"rejected", {{"keys", rejected_keys}, {"cps", cps->rejected}}}}
                .dump(2));
  return encrypted.jwes.empty() ? kExitRefused : kExitOk;
}

int runDecrypt(const std::vector<std::string_view>& args) {
  Options options("keydir decrypt --key KEY < jwe",
                  "Decrypts the JWE on stdin (ECDH-ES, A256GCM) with the ECDH private KEY\n"
                  "(encryption-key.pem from `keydir credential new`) and prints the PASSporT\n"
                  "as one line. A JWE for another key, or one that was altered, exits 1\n"
                  "saying so.");
  options.value("key", "the ECDH private key (PEM)");
  if (auto exit = options.parse(args)) return *exit;
  if (!options.has("key")) return options.usageError("--key is required");
  auto key = loadPrivateKey(*options.get("key"));
  if (!key) return reportError(key.error());
  const std::string jwe = stdinToken();
  if (jwe.empty()) return options.usageError("give the JWE on stdin");
  auto decrypted = decryptJwe(jwe, key->get());
  if (!decrypted) return reportError(decrypted.error());
  std::cout << decrypted->plaintext << "\n";
  return kExitOk;
}

}  // namespace keydir::tool
