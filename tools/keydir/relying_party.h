#pragma once
// What a caller checks a directory's answers against, from its options,
// and the answers fetched and checked with directory/relying_party (docs/design.md
// section 9). Shared by lookup and resolve.

#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "certs/in_memory_spc_map.h"
#include "certs/instant.h"
#include "certs/trust_store.h"
#include "directory/client/directory_client.h"
#include "directory/relying_party.h"
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
// The same from options already parsed, for a TN given as an option.
Result<TnQuestion> tnQuestionFrom(const Options& options, const std::string& tn);

// GET /v1/tns/{tn}/keys, checked with checkKeyRecords.
Result<Checked> checkedKeys(DirectoryClient& client, const std::string& tn,
                            const RelyingParty& party, Instant now);

// One JWE of `passport` per key record (RFC 8816 section 8.1 step 4):
// {"kid", "alg", "jwe"}, kid the key's id. A record whose key cannot be
// used goes to `rejected` as {"id", "problem", "detail"} and gets none.
struct Encrypted {
  nlohmann::json jwes = nlohmann::json::array();
  nlohmann::json rejected = nlohmann::json::array();
};
Encrypted encryptToKeys(std::string_view passport, const nlohmann::json& records);

// GET /v1/tns/{tn}/cps, checked with checkCpsEntries.
Result<Checked> checkedCps(DirectoryClient& client, const std::string& tn,
                           const RelyingParty& party, Instant now, bool accept_provisioned);

}  // namespace keydir::tool
