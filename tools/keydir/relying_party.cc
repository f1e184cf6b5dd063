#include "tools/keydir/relying_party.h"

#include <algorithm>
#include <fstream>

#include "advertise/advertisement_verifier.h"
#include "certs/encompassment.h"
#include "certs/tn.h"
#include "directory/key_record.h"
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

nlohmann::json rejection(const std::string& id, const Error& error) {
  return {{"id", id}, {"problem", errorTypeName(error.code)}, {"detail", error.message}};
}

// The entry must be what the advertisement says, and hold the TN.
Result<void> checkCpsEntry(const nlohmann::json& item, const std::string& tn,
                           const RelyingParty& party, Instant now) {
  if (!item.is_object() || !item.contains("jws") || !item["jws"].is_string() ||
      !item.contains("scope") || !item["scope"].is_string() || !item.contains("uri") ||
      !item["uri"].is_string()) {
    return fail(ErrorCode::kMalformed, "CPS entry needs \"scope\", \"uri\" and \"jws\"");
  }
  auto verified =
      verifyAdvertisement(item["jws"].get<std::string>(), party.trust, now, &party.spc_map);
  if (!verified) return std::unexpected(verified.error());
  if (item.value("ad", "") != verified->id) {
    return fail(ErrorCode::kMalformed, "CPS entry names advertisement " + item.value("ad", "") +
                                           " but its JWS is " + verified->id);
  }
  auto scope = TnScope::parse(item["scope"].get<std::string>());
  if (!scope) return std::unexpected(scope.error());
  CpsEntry claimed{*scope, item["uri"].get<std::string>()};
  if (std::find(verified->entries.begin(), verified->entries.end(), claimed) ==
      verified->entries.end()) {
    return fail(ErrorCode::kBadSignature,
                "the advertisement does not say " + scope->toString() + " -> " + claimed.uri);
  }
  if (!scopeContains(*scope, tn, &party.spc_map)) {
    return fail(ErrorCode::kNotAuthorized,
                "scope " + scope->toString() + " does not hold " + tn +
                    (scope->kind() == TnScope::Kind::kSpc ? " by the SPC map given" : ""));
  }
  return {};
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
  auto client = clientFrom(options);
  if (!client) return options.usageError(client.error().message);
  auto tn = canonicalTn(options.positional()[0]);
  if (!tn) return reportError(tn.error());
  auto party = relyingPartyFrom(options);
  if (!party) return reportError(party.error());
  return TnQuestion{std::move(*client), std::move(*tn), std::move(*party)};
}

Result<Checked> checkedKeys(DirectoryClient& client, const std::string& tn,
                            const RelyingParty& party, Instant now) {
  auto records = listFrom(client, "/v1/tns/" + tn + "/keys", "keys");
  if (!records) return std::unexpected(records.error());
  Checked checked;
  for (const auto& record : *records) {
    auto check = verifyKeyRecord(record, party.trust, now, &party.spc_map, tn);
    if (check) {
      checked.accepted.push_back(record);
    } else {
      checked.rejected.push_back(
          rejection(record.is_object() ? record.value("id", "") : "", check.error()));
    }
  }
  return checked;
}

Result<Checked> checkedCps(DirectoryClient& client, const std::string& tn,
                           const RelyingParty& party, Instant now, bool accept_provisioned) {
  auto items = listFrom(client, "/v1/tns/" + tn + "/cps", "cps");
  if (!items) return std::unexpected(items.error());
  Checked checked;
  for (const auto& item : *items) {
    if (item.is_object() && item.value("provisioned", false)) {
      if (accept_provisioned) {
        checked.accepted.push_back(item);
      } else {
        checked.rejected.push_back(rejection(
            item.value("uri", ""),
            {ErrorCode::kUntrustedChain,
             "a provisioned entry carries no signature; pass --accept-provisioned to take the "
             "directory's word for it"}));
      }
      continue;
    }
    if (auto ok = checkCpsEntry(item, tn, party, now); ok) {
      checked.accepted.push_back(item);
    } else {
      checked.rejected.push_back(
          rejection(item.is_object() ? item.value("ad", "") : "", ok.error()));
    }
  }
  return checked;
}

}  // namespace keydir::tool
