#include <filesystem>
#include <nlohmann/json.hpp>

#include "certs/pem.h"
#include "tools/keydir/client_options.h"
#include "tools/keydir/command.h"

namespace keydir::tool {

int runRegister(const std::vector<std::string_view>& args) {
  Options options("keydir register --server URL --credential DIR [--tls-ca PEM]",
                  "Registers the credential that 'keydir credential new --out DIR' made\n"
                  "(DIR/credential.json) and prints the directory's key record. Registering the\n"
                  "same credential again is harmless and prints the same record.");
  addServerOptions(options).value("credential", "directory holding credential.json");
  if (auto exit = options.parse(args)) return *exit;
  if (!options.has("credential")) return options.usageError("--credential is required");
  auto client = clientFrom(options);
  if (!client) return options.usageError(client.error().message);
  auto body = readFile(std::filesystem::path(*options.get("credential")) / "credential.json");
  if (!body) return reportError(body.error());
  auto answer = client->call("POST", "/v1/keys", *body, "application/json");
  if (!answer) return reportError(answer.error());
  printJson(nlohmann::json::parse(answer->body).dump(2));
  return kExitOk;
}

}  // namespace keydir::tool
