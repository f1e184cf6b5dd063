#include <nlohmann/json.hpp>

#include "certs/base64.h"
#include "certs/jws.h"
#include "certs/pem.h"
#include "tools/keydir/client_options.h"
#include "tools/keydir/command.h"

namespace keydir::tool {

int runRevoke(const std::vector<std::string_view>& args) {
  Options options("keydir revoke ID --server URL --cert CHAIN --key KEY [--tls-ca PEM]",
                  "Revokes key ID with a signed request (compact ES256 JWS, payload sub, iat,\n"
                  "jti) made with CHAIN and KEY. The certificate's TNAuthList must cover the\n"
                  "key's scope: the key's own certificate, or one above it, will do.");
  addServerOptions(options)
      .value("cert", "PEM chain of the revoking certificate, leaf first")
      .value("key", "its private key (PEM)");
  options.positionals(1);
  if (auto exit = options.parse(args)) return *exit;
  if (!options.has("cert") || !options.has("key")) {
    return options.usageError("--cert and --key are required");
  }
  auto client = clientFrom(options);
  if (!client) return options.usageError(client.error().message);
  auto chain = loadCertificates(*options.get("cert"));
  if (!chain) return reportError(chain.error());
  auto key = loadPrivateKey(*options.get("key"));
  if (!key) return reportError(key.error());

  const std::string& id = options.positional()[0];
  nlohmann::json payload = {
      {"sub", id}, {"iat", nowInstant().time_since_epoch().count()}, {"jti", freshJti()}};
  auto jws = signJws({{"typ", "key-revocation"}}, payload.dump(), key->get(), *chain);
  if (!jws) return reportError(jws.error());
  auto answer = client->call("POST", "/v1/keys/" + id + "/revocation", *jws, "application/jose");
  if (!answer) return reportError(answer.error());
  printJson(nlohmann::json::parse(answer->body).dump(2));
  return kExitOk;
}

}  // namespace keydir::tool
