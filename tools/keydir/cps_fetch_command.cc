#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "advertise/cps_uri.h"
#include "certs/pem.h"
#include "certs/tn.h"
#include "cps/passport_pickup.h"
#include "directory/client/chain_fetch.h"
#include "tools/keydir/command.h"
#include "tools/keydir/options.h"
#include "tools/keydir/relying_party.h"

namespace keydir::tool {

int runCpsFetch(const std::vector<std::string_view>& args) {
  Options options(
      "keydir cps fetch --cps URL (--tn TN | --prefix DIGITS) --key PEM [--key PEM...]\n"
      "       --trust PEM --orig TN [--wait 5s] [--max-age 60s] [--spc-map CSV] [--crl PEM...]\n"
      "       [--tls-ca PEM]",
      "What a callee's verification service does when a call arrives (RFC 8816 sections\n"
      "6.2 and 8.2): fetches the CPS's entries for the called number, or for every\n"
      "number under a prefix so as not to say which it holds, opens each JWE with the\n"
      "ECDH private keys it holds (dummies and other keys' JWEs do not open, and are\n"
      "skipped), and checks each PASSporT that opens for a call from --orig, its called\n"
      "number included. A store may show a tick late, so it asks again until --wait\n"
      "runs out. Prints {\"verified\": [{\"tn\", \"id\", \"passport\", \"claims\"}], \"refused\",\n"
      "\"entries\"}; exits 0 when a PASSporT verified, 1 when none did.");
  addRelyingPartyOptions(options)
      .value("cps", "the CPS's URI, as advertised")
      .value("tn", "the called number")
      .value("prefix", "the first digits of the numbers to fetch for")
      .value("key", "an ECDH private key (PEM) of the callee", true)
      .value("orig", "the calling number the call presents")
      .value("wait", "how long to ask again while nothing verified (default 5s)")
      .value("max-age", "oldest PASSporT iat taken: 60s (default)")
      .value("tls-ca", "PEM bundle that signed the CPS's (and any x5u's) TLS certificate");
  if (auto exit = options.parse(args)) return *exit;
  if (!options.has("cps") || !options.has("key") || !options.has("trust") || !options.has("orig") ||
      options.has("tn") == options.has("prefix")) {
    return options.usageError(
        "--cps, --key, --trust, --orig and one of --tn or --prefix are required");
  }
  auto orig = canonicalTn(*options.get("orig"));
  if (!orig) return options.usageError("--orig: " + orig.error().message);
  std::string path;
  if (auto tn = options.get("tn")) {
    auto canonical = canonicalTn(*tn);
    if (!canonical) return options.usageError("--tn: " + canonical.error().message);
    path = "/cps/" + *canonical + "/ppts";
  } else {
    path = "/cps/prefix/" + *options.get("prefix") + "/ppts";
  }
  auto wait = parseDuration(options.get("wait", "5s"));
  if (!wait) return options.usageError("--wait: " + wait.error().message);
  auto max_age = parseDuration(options.get("max-age", "60s"));
  if (!max_age) return options.usageError("--max-age: " + max_age.error().message);
  std::vector<EvpPkeyPtr> keys;
  std::vector<const EVP_PKEY*> key_views;
  for (const std::string& file : options.all("key")) {
    auto key = loadPrivateKey(file);
    if (!key) return reportError(key.error());
    key_views.push_back(key->get());
    keys.push_back(std::move(*key));
  }
  auto party = relyingPartyFrom(options);
  if (!party) return reportError(party.error());
  const std::string tls_ca = options.get("tls-ca", "");
  const CpsBase base = cpsBase(*options.get("cps"));
  auto client = DirectoryClient::create(base.origin, tls_ca);
  if (!client) return reportError(client.error());

  PassportCheck check;
  check.orig = *orig;
  check.max_age = *max_age;
  check.trust = &party->trust;
  check.spc_map = &party->spc_map;
  check.fetch_chain = [tls_ca](const std::string& url) { return fetchChain(url, tls_ca); };
  const auto deadline = std::chrono::steady_clock::now() + *wait;
  Pickup pickup;
  for (;;) {
    auto answer = client->call("GET", base.path + path);
    if (!answer) return reportError(answer.error());
    check.now = nowInstant();
    pickup = pickUp(nlohmann::json::parse(answer->body, nullptr, false), key_views, check);
    if (!pickup.verified.empty() || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  nlohmann::json verified = nlohmann::json::array(), refused = nlohmann::json::array();
  for (const PickedUp& one : pickup.verified) {
    verified.push_back({{"tn", one.tn},
                        {"id", one.id},
                        {"passport", one.passport},
                        {"claims", one.verified.claims}});
  }
  for (const NotTaken& one : pickup.refused) {
    refused.push_back({{"tn", one.tn}, {"id", one.id}, {"why", one.why}});
  }
  printJson(nlohmann::json{{"verified", verified},
                           {"refused", refused},
                           {"entries", pickup.entries},
                           {"jwes", pickup.jwes}}
                .dump(2));
  return pickup.verified.empty() ? kExitRefused : kExitOk;
}

}  // namespace keydir::tool
