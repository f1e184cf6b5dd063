#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "certs/credential_issuer.h"
#include "certs/pem.h"
#include "tools/keydir/command.h"
#include "tools/keydir/options.h"

namespace keydir::tool {

int runCredentialNew(const std::vector<std::string_view>& args) {
  Options options(
      "keydir credential new --cert CHAIN --key KEY [--alg x25519|p256] [--valid-for 7d] "
      "--out DIR",
      "Makes an ECDH key pair and a delegated credential (RFC 9345, STIR context) that\n"
      "binds it to the STIR certificate first in CHAIN, signed with KEY. Writes\n"
      "DIR/credential.json (the body for POST /v1/keys: dc and x5c) and\n"
      "DIR/encryption-key.pem (the ECDH private key, mode 0600), and prints the key id,\n"
      "algorithm, JWK and expiry. Give the whole chain (NAME.chain.pem) so that\n"
      "verifiers can build the path.");
  options.value("cert", "PEM chain, leaf first")
      .value("key", "the leaf's private key (PEM)")
      .value("alg", "x25519 (default) or p256")
      .value("valid-for", "lifetime: 7d (default), 12h, 30m, 45s")
      .value("out", "directory to write the credential into");
  if (auto exit = options.parse(args)) return *exit;
  if (!options.has("cert") || !options.has("key") || !options.has("out")) {
    return options.usageError("--cert, --key and --out are required");
  }
  auto key_type = parseKeyTypeName(options.get("alg", "x25519"));
  if (!key_type) return options.usageError(key_type.error().message);
  auto valid_for = parseDuration(options.get("valid-for", "7d"));
  if (!valid_for) return options.usageError(valid_for.error().message);

  auto chain = loadCertificates(*options.get("cert"));
  if (!chain) return reportError(chain.error());
  auto leaf_key = loadPrivateKey(*options.get("key"));
  if (!leaf_key) return reportError(leaf_key.error());
  auto issued = issueCredential(*chain, leaf_key->get(), *key_type, *valid_for, nowInstant());
  if (!issued) return reportError(issued.error());
  for (const auto& warning : issued->warnings) std::cerr << "keydir: warning: " << warning << "\n";

  std::filesystem::path out = *options.get("out");
  std::error_code error;
  std::filesystem::create_directories(out, error);
  if (error) return reportError({ErrorCode::kUnavailable, "cannot create " + out.string()});
  nlohmann::json body = registrationBody(issued->credential, *chain);
  if (auto ok =
          writeFile(out / "encryption-key.pem", privateKeyPem(issued->private_key.get()), true);
      !ok) {
    return reportError(ok.error());
  }
  if (auto ok = writeFile(out / "credential.json", body.dump(2) + "\n"); !ok) {
    return reportError(ok.error());
  }
  printJson(nlohmann::json{{"id", credentialKeyId(issued->credential.serialize())},
                           {"alg", keyTypeName(*key_type)},
                           {"jwk", publicJwk(issued->private_key.get())},
                           {"expires", rfc3339(issued->expires)},
                           {"credential", (out / "credential.json").string()},
                           {"private_key", (out / "encryption-key.pem").string()}}
                .dump(2));
  return kExitOk;
}

}  // namespace keydir::tool
