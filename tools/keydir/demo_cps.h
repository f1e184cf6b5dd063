#pragma once
// The carrier's CPS in `keydir demo`: on loopback over TLS from a demo CA,
// storage tokens fetched with the carrier's certificate, the call's entry
// left spending one, the callee's fetch by prefix among dummies, and the
// CPS's request log checked for numbers.

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "certs/instant.h"
#include "cps/cps_server.h"
#include "cps/storage_token_client.h"
#include "directory/client/directory_client.h"
#include "tools/keydir/demo_steps.h"

namespace keydir::tool::demo {

class DemoCps {
 public:
  explicit DemoCps(Narrator& narrator) : narrator_(narrator) {}

  // Starts it, asking `directory_url` (the cache) for each number's keys.
  void start(const std::string& directory_url, Instant now);
  const std::string& uri() const { return uri_; }
  // Fetches the carrier's tokens, then leaves `jwes` under the callee.
  void store(const nlohmann::json& jwes);
  // What acme's key opens among every entry under +1202555.
  std::string calleeFetchesByPrefix();
  void stop();
  // After stop(): its log names neither number in full.
  void logNamesNoCaller();

 private:
  void fetchTokensAsTheCarrier();

  Narrator& narrator_;
  std::unique_ptr<CpsServer> server_;
  std::optional<DirectoryClient> client_;
  std::string uri_, stored_id_;
  TokenWallet wallet_;
};

}  // namespace keydir::tool::demo
