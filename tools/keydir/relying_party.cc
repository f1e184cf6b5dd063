#include "tools/keydir/relying_party.h"

#include <fstream>

#include "certs/json_fields.h"
#include "certs/jwe.h"
#include "certs/key_pair.h"
#include "certs/tn.h"
#include "tools/keydir/client_options.h"

namespace keydir::tool {
namespace {

Result<nlohmann::json> listFrom(DirectoryClient& client, const std::string& path,
                                const char* member) {
  auto answer = client.call("GET", path);
  if (!answer) return std::unexpected(answer.error());
  nlohmann::json body = nlohmann::json::parse(answer->body, nullptr, false);
  if (!body.is_object() || !body.contains(member) || !(*body.find(member)).is_array()) {
    return fail(ErrorCode::kMalformed,
                std::string("directory's answer has no \"") + member + "\" list");
  }
  return (*body.find(member));
}

}  // namespace

Options& addRelyingPartyOptions(Options& options) {
  return options.value("trust", "PEM bundle of STI-CA roots you trust")
      .value("crl", "PEM CRL file", true)
      .value("spc-map", "CSV of scope,spc lines for SPC scopes");
}

Result<RelyingParty> relyingPartyFrom(const Options& options) {
  auto trust_file = options.get("trust");
  if (!trust_file) return fail(ErrorCode::kMalformed, "--trust is required");
  auto crl_files = options.all("crl");
  auto trust = TrustStore::load(*trust_file, {crl_files.begin(), crl_files.end()});
  if (!trust) return std::unexpected(trust.error());
  RelyingParty party{std::move(*trust), {}};
  if (auto file = options.get("spc-map")) {
    std::ifstream csv(*file);
    if (!csv) return fail(ErrorCode::kNotFound, "cannot read " + *file);
    if (auto ok = party.spc_map.loadCsv(csv); !ok) return std::unexpected(ok.error());
  }
  return party;
}

std::variant<TnQuestion, int> tnQuestionFrom(Options& options,
                                             const std::vector<std::string_view>& args) {
  options.positionals(1);
  if (auto exit = options.parse(args)) return *exit;
  if (!options.has("trust")) return options.usageError("--trust is required");
  if (!options.has("server")) return options.usageError("--server is required");
  auto question = tnQuestionFrom(options, options.positional()[0]);
  if (!question) return reportError(question.error());
  return std::move(*question);
}

Result<TnQuestion> tnQuestionFrom(const Options& options, const std::string& tn) {
  auto client = clientFrom(options);
  if (!client) return std::unexpected(client.error());
  auto canonical = canonicalTn(tn);
  if (!canonical) return std::unexpected(canonical.error());
  auto party = relyingPartyFrom(options);
  if (!party) return std::unexpected(party.error());
  return TnQuestion{std::move(*client), std::move(*canonical), std::move(*party)};
}

Result<Checked> checkedKeys(DirectoryClient& client, const std::string& tn,
                            const RelyingParty& party, Instant now) {
  auto records = listFrom(client, "/v1/tns/" + tn + "/keys", "keys");
  if (!records) return std::unexpected(records.error());
  return checkKeyRecords(*records, tn, party.trust, party.spc_map, now);
}

Encrypted encryptToKeys(std::string_view passport, const nlohmann::json& records) {
  Encrypted out;
  for (const auto& record : records) {
    const std::string id = textField(record, "id");
    auto key = keyFromJwk(record.value("jwk", nlohmann::json()));
    auto jwe = key ? encryptJwe(passport, key->get(), id) : std::unexpected(key.error());
    if (!jwe) {
      out.rejected.push_back({{"id", id},
                              {"problem", errorTypeName(jwe.error().code)},
                              {"detail", jwe.error().message}});
      continue;
    }
    out.jwes.push_back({{"kid", id}, {"alg", textField(record, "alg")}, {"jwe", *jwe}});
  }
  return out;
}

Result<Checked> checkedCps(DirectoryClient& client, const std::string& tn,
                           const RelyingParty& party, Instant now, bool accept_provisioned) {
  auto items = listFrom(client, "/v1/tns/" + tn + "/cps", "cps");
  if (!items) return std::unexpected(items.error());
  return checkCpsEntries(*items, tn, party.trust, party.spc_map, now, accept_provisioned);
}

}  // namespace keydir::tool
