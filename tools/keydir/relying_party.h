#pragma once
// What a caller checks a directory's answers against, and the checks
// themselves (DESIGN section 9: every record verified locally; the
// directory is a convenience, not a trust root). Shared by lookup and
// resolve.

#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "certs/in_memory_spc_map.h"
#include "certs/instant.h"
#include "certs/trust_store.h"
#include "directory/client/directory_client.h"
#include "tools/keydir/options.h"

namespace keydir::tool {

struct RelyingParty {
  TrustStore trust;
  InMemorySpcMap spc_map;
};

// --trust PEM (required), --crl PEM..., --spc-map CSV.
Options& addRelyingPartyOptions(Options& options);
Result<RelyingParty> relyingPartyFrom(const Options& options);

// What a command asking about one TN needs: the directory, the canonical
// TN (the one positional argument) and the caller's own anchors.
struct TnQuestion {
  DirectoryClient client;
  std::string tn;
  RelyingParty party;
};
// Parses `args` into `options` (which must have the server and relying-party
// options) and builds the question. On anything but success, returns the
// exit status, having printed help, a usage error or the problem.
std::variant<TnQuestion, int> tnQuestionFrom(Options& options,
                                             const std::vector<std::string_view>& args);

// What survived the checks, and what did not with the reason:
// rejected items are {"id", "problem", "detail"}.
struct Checked {
  nlohmann::json accepted = nlohmann::json::array();
  nlohmann::json rejected = nlohmann::json::array();
};

// GET /v1/tns/{tn}/keys; each record verified with verifyKeyRecord.
Result<Checked> checkedKeys(DirectoryClient& client, const std::string& tn,
                            const RelyingParty& party, Instant now);

// GET /v1/tns/{tn}/cps; each signed entry's JWS verified as an advertisement,
// and the entry must be one of it and hold the TN. Provisioned entries carry
// no proof: kept, marked, only when `accept_provisioned`.
Result<Checked> checkedCps(DirectoryClient& client, const std::string& tn,
                           const RelyingParty& party, Instant now, bool accept_provisioned);

}  // namespace keydir::tool
