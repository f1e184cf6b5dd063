#include "certs/passport.h"

#include <openssl/rand.h>

#include "certs/encompassment.h"
#include "certs/es256.h"
#include "certs/hex.h"
#include "certs/json_fields.h"
#include "certs/jws.h"
#include "certs/tn.h"

namespace keydir {
namespace {

// A random (version 4) UUID, RFC 9562 section 5.4.
std::string randomUuid() {
  unsigned char raw[16];
  RAND_bytes(raw, sizeof raw);
  raw[6] = (raw[6] & 0x0f) | 0x40;
  raw[8] = (raw[8] & 0x3f) | 0x80;
  std::string hex = hexEncode(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

std::unexpected<Error> refuse(ErrorCode code, std::string_view step, const std::string& why) {
  return fail(code, std::string(step) + ": " + why);
}

// The claims' "orig" TN, canonical, or the ppt step's refusal.
Result<std::string> origTn(const nlohmann::json& claims) {
  auto orig = claims.find("orig");
  if (orig == claims.end() || !orig->is_object() || !orig->contains("tn") ||
      !(*orig)["tn"].is_string()) {
    return refuse(ErrorCode::kMalformed, "ppt", "the claims have no \"orig\": {\"tn\": ...}");
  }
  auto tn = canonicalTn((*orig)["tn"].get<std::string>());
  if (!tn) return refuse(ErrorCode::kMalformed, "ppt", "orig.tn: " + tn.error().message);
  return tn;
}

Result<std::vector<X509Ptr>> signerChain(const nlohmann::json& header, const PassportCheck& check) {
  if (header.contains("x5c")) return jwsChain(header);
  auto x5u = header.find("x5u");
  if (x5u == header.end() || !x5u->is_string()) {
    return fail(ErrorCode::kMalformed, "the header has neither \"x5c\" nor \"x5u\"");
  }
  const std::string url = x5u->get<std::string>();
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
    return fail(ErrorCode::kMalformed, "x5u " + url + " is not an http(s) URL");
  }
  if (!check.fetch_chain) {
    return fail(ErrorCode::kUnavailable,
                "the signer's chain is at x5u " + url + " and this check fetches nothing");
  }
  auto chain = check.fetch_chain(url);
  if (!chain) return failWithContext(chain.error(), "x5u " + url);
  return chain;
}

}  // namespace

Result<std::string> signPassport(const PassportClaims& claims, EVP_PKEY* key,
                                 const std::vector<X509Ptr>& chain,
                                 const std::optional<std::string>& x5u) {
  auto orig = canonicalTn(claims.orig);
  if (!orig) return failWithContext(orig.error(), "orig");
  nlohmann::json dest = nlohmann::json::array();
  for (const auto& tn : claims.dest) {
    auto canonical = canonicalTn(tn);
    if (!canonical) return failWithContext(canonical.error(), "dest");
    dest.push_back(*canonical);
  }
  if (dest.empty()) return fail(ErrorCode::kMalformed, "a PASSporT names at least one dest TN");
  nlohmann::json header = {{"typ", "passport"}};
  nlohmann::json payload = {{"orig", {{"tn", *orig}}},
                            {"dest", {{"tn", dest}}},
                            {"iat", claims.iat.time_since_epoch().count()}};
  if (!claims.attest.empty()) {
    if (claims.attest != "A" && claims.attest != "B" && claims.attest != "C") {
      return fail(ErrorCode::kMalformed,
                  "attest is A, B or C (RFC 8588 section 4), not \"" + claims.attest + "\"");
    }
    header["ppt"] = "shaken";
    payload["attest"] = claims.attest;
    payload["origid"] = claims.origid.empty() ? randomUuid() : claims.origid;
  }
  if (x5u) {
    header["x5u"] = *x5u;
    return signJws(header, payload.dump(), key, {});
  }
  return signJws(header, payload.dump(), key, chain);
}

Result<VerifiedPassport> verifyPassport(std::string_view compact, const PassportCheck& check) {
  // ppt: a full-form PASSporT keydir takes.
  auto parsed = parseJws(compact);
  if (!parsed) return refuse(parsed.error().code, "ppt", parsed.error().message);
  const nlohmann::json& header = parsed->header;
  if (textField(header, "typ") != "passport") {
    return refuse(ErrorCode::kMalformed, "ppt", "the header's typ is not \"passport\"");
  }
  nlohmann::json claims = nlohmann::json::parse(parsed->payload, nullptr, false);
  if (!claims.is_object()) {
    return refuse(ErrorCode::kMalformed, "ppt", "the claims are not a JSON object");
  }
  if (header.contains("ppt")) {
    if (header["ppt"] != "shaken") {
      return refuse(ErrorCode::kMalformed, "ppt",
                    "extension " + header["ppt"].dump() + " is not one keydir knows (shaken)");
    }
    if (!claims.contains("attest") || !claims.contains("origid")) {
      return refuse(ErrorCode::kMalformed, "ppt",
                    "a shaken PASSporT carries attest and origid (RFC 8588)");
    }
  }
  if (!claims.contains("iat") || !claims["iat"].is_number_integer()) {
    return refuse(ErrorCode::kMalformed, "ppt", "the claims have no integer \"iat\"");
  }
  auto orig = origTn(claims);
  if (!orig) return std::unexpected(orig.error());

  // orig: the number the call presents.
  if (*orig != check.orig) {
    return refuse(ErrorCode::kNotAuthorized, "orig",
                  "the PASSporT is from " + *orig + " but the call presents " + check.orig);
  }

  // chain: a path to the anchors, and the orig TN inside the signer's
  // TNAuthList.
  auto chain = signerChain(header, check);
  if (!chain) return refuse(chain.error().code, "chain", chain.error().message);
  auto validated = validateChain(*chain, *check.trust, check.now, check.spc_map);
  if (!validated) return refuse(validated.error().code, "chain", validated.error().message);
  bool covered = false;
  for (const auto& scope : validated->authority) {
    covered = covered || scopeContains(scope, *orig, check.spc_map);
  }
  if (!covered) {
    std::string names;
    for (const auto& scope : validated->authority)
      names += (names.empty() ? "" : ", ") + scope.toString();
    return refuse(ErrorCode::kNotAuthorized, "chain",
                  "the signer's TNAuthList (" + names + ") does not hold " + *orig +
                      (check.spc_map ? "" : " (an SPC entry needs an SPC map to resolve)"));
  }

  // fresh: iat within max-age behind and a few seconds ahead.
  const Instant iat{std::chrono::seconds(claims["iat"].get<std::int64_t>())};
  if (iat < check.now - check.max_age) {
    return refuse(ErrorCode::kExpired, "fresh",
                  "iat is " + std::to_string((check.now - iat).count()) + " s old; at most " +
                      std::to_string(check.max_age.count()) + " s is taken");
  }
  if (iat > check.now + check.max_ahead) {
    return refuse(ErrorCode::kExpired, "fresh",
                  "iat is " + std::to_string((iat - check.now).count()) +
                      " s in the future; at most " + std::to_string(check.max_ahead.count()) +
                      " s is taken");
  }

  // signature: by the leaf's key.
  EvpPkeyPtr leaf_key(X509_get_pubkey(const_cast<X509*>(validated->leaf())));
  if (auto ok = verifyRaw(leaf_key.get(), parsed->signing_input, parsed->signature); !ok) {
    return refuse(ErrorCode::kBadSignature, "signature",
                  "the PASSporT does not verify with the key of the signer's certificate");
  }
  return VerifiedPassport{header, std::move(claims), std::move(*validated)};
}

}  // namespace keydir
