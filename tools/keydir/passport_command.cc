#include <iostream>

#include "certs/passport.h"
#include "certs/pem.h"
#include "certs/tn.h"
#include "directory/client/chain_fetch.h"
#include "tools/keydir/command.h"
#include "tools/keydir/options.h"
#include "tools/keydir/relying_party.h"
#include "tools/keydir/stdin_text.h"

namespace keydir::tool {

int runPassportSign(const std::vector<std::string_view>& args) {
  Options options(
      "keydir passport sign --cert CHAIN --key KEY --orig TN --dest TN [--dest TN...]\n"
      "       [--x5u URL] [--attest A|B|C] [--origid UUID]",
      "Signs a PASSporT (RFC 8225, full form, ES256) for a call from --orig to each\n"
      "--dest, with the STIR certificate first in CHAIN and its private KEY, and\n"
      "prints it as one compact JWS line. The header carries the chain in x5c, or\n"
      "--x5u, where verifiers fetch it (a directory serves chains at\n"
      "/v1/certs/{sha256}). --attest adds the SHAKEN claims of RFC 8588 (ppt\n"
      "\"shaken\", attest, origid; a random origid unless --origid).");
  options.value("cert", "PEM chain, leaf first")
      .value("key", "the leaf's private key (PEM)")
      .value("orig", "the calling TN")
      .value("dest", "a called TN", true)
      .value("x5u", "URL of the chain, instead of embedding it")
      .value("attest", "SHAKEN attestation: A, B or C")
      .value("origid", "SHAKEN origination id (UUID)");
  if (auto exit = options.parse(args)) return *exit;
  if (!options.has("cert") || !options.has("key") || !options.has("orig") ||
      options.all("dest").empty()) {
    return options.usageError("--cert, --key, --orig and at least one --dest are required");
  }
  auto chain = loadCertificates(*options.get("cert"));
  if (!chain) return reportError(chain.error());
  auto key = loadPrivateKey(*options.get("key"));
  if (!key) return reportError(key.error());
  PassportClaims claims{*options.get("orig"), options.all("dest"), nowInstant(),
                        options.get("attest", ""), options.get("origid", "")};
  auto passport = signPassport(claims, key->get(), *chain, options.get("x5u"));
  if (!passport) return reportError(passport.error());
  std::cout << *passport << "\n";
  return kExitOk;
}

int runPassportVerify(const std::vector<std::string_view>& args) {
  Options options(
      "keydir passport verify --trust PEM --orig TN [--max-age 60s] [--spc-map CSV]\n"
      "       [--crl PEM...] [--tls-ca PEM] < passport",
      "The verification service's checks (RFC 8816 section 8.2) on the PASSporT on\n"
      "stdin, for a call presenting --orig: ppt (a PASSporT keydir takes), orig (the\n"
      "number presented), chain (a path to --trust, and orig inside the signer's\n"
      "TNAuthList), fresh (iat at most --max-age old and 5 s ahead), signature.\n"
      "Prints {\"header\", \"claims\", \"signer\"} and exits 0, or prints the refusal,\n"
      "which starts with its step's name, and exits 1. An x5u chain is fetched\n"
      "(--tls-ca for a private CA).");
  addRelyingPartyOptions(options)
      .value("orig", "the calling number the call presents")
      .value("max-age", "oldest iat taken: 60s (default), 2m")
      .value("tls-ca", "PEM bundle for fetching an https x5u");
  if (auto exit = options.parse(args)) return *exit;
  if (!options.has("trust") || !options.has("orig")) {
    return options.usageError("--trust and --orig are required");
  }
  auto orig = canonicalTn(*options.get("orig"));
  if (!orig) return options.usageError("--orig: " + orig.error().message);
  auto max_age = parseDuration(options.get("max-age", "60s"));
  if (!max_age) return options.usageError(max_age.error().message);
  auto party = relyingPartyFrom(options);
  if (!party) return reportError(party.error());
  PassportCheck check;
  check.orig = *orig;
  check.now = nowInstant();
  check.max_age = *max_age;
  check.trust = &party->trust;
  check.spc_map = &party->spc_map;
  check.fetch_chain = [tls_ca = options.get("tls-ca", "")](const std::string& url) {
    return fetchChain(url, tls_ca);
  };
  auto verified = verifyPassport(stdinToken(), check);
  if (!verified) return reportError(verified.error());
  printJson(nlohmann::json{{"header", verified->header},
                           {"claims", verified->claims},
                           {"signer", certificateSha256Hex(verified->chain.leaf())}}
                .dump(2));
  return kExitOk;
}

}  // namespace keydir::tool
