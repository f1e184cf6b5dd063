#include <Poco/URI.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "certs/in_memory_spc_map.h"
#include "certs/tn.h"
#include "certs/trust_store.h"
#include "directory/key_record.h"
#include "tools/keydir/client_options.h"
#include "tools/keydir/command.h"

namespace keydir::tool {

int runLookup(const std::vector<std::string_view>& args) {
  Options options(
      "keydir lookup TN --server URL --trust PEM [--spc-map CSV] [--tls-ca PEM]",
      "Asks the directory for TN's keys and verifies each record here, against --trust\n"
      "(the directory is not trusted). Prints {\"tn\", \"keys\": [verified records],\n"
      "\"rejected\": [{\"id\", \"problem\", \"detail\"}]}; exits 1 if any record was rejected.\n"
      "Keys scoped by SPC, and delegations that rely on one, need --spc-map to verify.");
  addServerOptions(options)
      .value("trust", "PEM bundle of STI-CA roots you trust")
      .value("crl", "PEM CRL file", true)
      .value("spc-map", "CSV of scope,spc lines for SPC scopes");
  options.positionals(1);
  if (auto exit = options.parse(args)) return *exit;
  if (!options.has("trust")) return options.usageError("--trust is required");
  auto client = clientFrom(options);
  if (!client) return options.usageError(client.error().message);
  auto tn = canonicalTn(options.positional()[0]);
  if (!tn) return reportError(tn.error());
  auto crl_files = options.all("crl");
  auto trust = TrustStore::load(*options.get("trust"), {crl_files.begin(), crl_files.end()});
  if (!trust) return reportError(trust.error());
  InMemorySpcMap spc_map;
  if (auto file = options.get("spc-map")) {
    std::ifstream csv(*file);
    if (!csv) return reportError({ErrorCode::kNotFound, "cannot read " + *file});
    if (auto ok = spc_map.loadCsv(csv); !ok) return reportError(ok.error());
  }

  auto answer = client->call("GET", "/v1/tns/" + *tn + "/keys");
  if (!answer) return reportError(answer.error());
  nlohmann::json body = nlohmann::json::parse(answer->body, nullptr, false);
  if (!body.is_object() || !body.contains("keys") || !body["keys"].is_array()) {
    return reportError({ErrorCode::kMalformed, "directory's answer has no \"keys\" list"});
  }
  nlohmann::json verified = nlohmann::json::array();
  nlohmann::json rejected = nlohmann::json::array();
  Instant now = nowInstant();
  for (const auto& record : body["keys"]) {
    auto check = verifyKeyRecord(record, *trust, now, &spc_map, *tn);
    if (check) {
      verified.push_back(record);
    } else {
      rejected.push_back({{"id", record.is_object() ? record.value("id", "") : ""},
                          {"problem", errorTypeName(check.error().code)},
                          {"detail", check.error().message}});
    }
  }
  printJson(nlohmann::json{{"tn", *tn}, {"keys", verified}, {"rejected", rejected}}.dump(2));
  return rejected.empty() ? kExitOk : kExitRefused;
}

}  // namespace keydir::tool
