#include "cps/bearer_jwt.h"

#include <algorithm>

#include "certs/base64.h"
#include "certs/es256.h"
#include "certs/jws.h"
#include "certs/pem.h"
#include "certs/tn.h"

namespace keydir {
namespace {

std::unexpected<Error> refuse(ErrorCode code, std::string_view claim, const std::string& why) {
  return fail(code, std::string(claim) + ": " + why);
}

// A claim that must be a string; empty when it is absent or not one.
std::string textClaim(const nlohmann::json& claims, const char* name) {
  auto at = claims.find(name);
  return at != claims.end() && at->is_string() ? at->get<std::string>() : std::string();
}

// {"tn": "..."} or {"tn": ["...", ..]}: the numbers, canonical; those that
// are not numbers are left out.
std::vector<std::string> numbersOf(const nlohmann::json& claims, const char* name) {
  std::vector<std::string> numbers;
  auto at = claims.find(name);
  if (at == claims.end() || !at->is_object() || !at->contains("tn")) return numbers;
  const nlohmann::json& tn = (*at)["tn"];
  for (const auto& one : tn.is_array() ? tn : nlohmann::json::array({tn})) {
    if (!one.is_string()) continue;
    if (auto canonical = canonicalTn(one.get<std::string>())) numbers.push_back(*canonical);
  }
  return numbers;
}

// "sha256-" and the base64 (either alphabet, padded or not) of 32 bytes.
std::optional<std::string> digestOf(const std::string& claim) {
  if (!claim.starts_with("sha256-")) return std::nullopt;
  std::string text = claim.substr(7);
  std::replace(text.begin(), text.end(), '-', '+');
  std::replace(text.begin(), text.end(), '_', '/');
  while (text.size() % 4 != 0) text.push_back('=');
  auto decoded = base64Decode(text);
  if (!decoded || decoded->size() != 32) return std::nullopt;
  return std::string(asStringView(*decoded));
}

Result<std::vector<X509Ptr>> signerChain(const nlohmann::json& header, const BearerRules& rules,
                                         Instant now) {
  if (header.contains("x5c")) return jwsChain(header);
  auto x5u = header.find("x5u");
  if (x5u == header.end() || !x5u->is_string()) {
    return fail(ErrorCode::kMalformed, "the JWT's header has neither \"x5c\" nor \"x5u\"");
  }
  if (!rules.chains) return fail(ErrorCode::kUnavailable, "this CPS fetches no x5u");
  return rules.chains->chainAt(x5u->get<std::string>(), now);
}

// What names the signer's chain in the JWT's header, as validated chains
// are kept by: its x5c, or its x5u URL; empty when neither does.
std::string chainNamedBy(const nlohmann::json& header) {
  if (auto x5c = header.find("x5c"); x5c != header.end()) return "x5c " + x5c->dump();
  if (auto x5u = header.find("x5u"); x5u != header.end() && x5u->is_string()) {
    return "x5u " + x5u->get<std::string>();
  }
  return {};
}

// The JWT of "Bearer <JWT>", or empty for another scheme.
std::string_view bearerToken(std::string_view authorization) {
  const std::size_t space = authorization.find(' ');
  if (space == std::string_view::npos) return {};
  std::string scheme(authorization.substr(0, space));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
  if (scheme != "bearer") return {};
  std::string_view token = authorization.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  return token;
}

// The signer's chain, validated at `now`: as validated lately when the
// same x5c or x5u named it, or fetched, parsed and validated in full.
Result<std::shared_ptr<const ValidatedChain>> validatedSignerChain(const nlohmann::json& header,
                                                                   const BearerRules& rules,
                                                                   Instant now) {
  const std::string named_by = chainNamedBy(header);
  if (rules.validated && !named_by.empty()) {
    if (auto kept = rules.validated->find(named_by, now)) return kept;
  }
  auto chain = signerChain(header, rules, now);
  if (!chain) return std::unexpected(chain.error());
  ChainPolicy policy;
  policy.max_chain_length = rules.max_chain_length;
  auto validated = validateChain(*chain, *rules.trust, now, rules.spc_map, policy);
  if (!validated) return std::unexpected(validated.error());
  auto shared = std::make_shared<const ValidatedChain>(std::move(*validated));
  if (rules.validated && !named_by.empty()) rules.validated->keep(named_by, shared, now);
  return shared;
}

Result<void> checkPathClaims(const nlohmann::json& claims, const BearerRequest& request,
                             const ValidatedChain& chain) {
  const std::string spc = textClaim(claims, "spc");
  if (spc.empty()) return refuse(ErrorCode::kNotAuthorized, "spc", "the JWT names no SPC");
  if (request.spc && *request.spc != spc) {
    return refuse(ErrorCode::kNotAuthorized, "spc",
                  "the JWT's SPC " + spc + " is not the path's " + *request.spc);
  }
  const bool held = std::any_of(chain.authority.begin(), chain.authority.end(), [&](auto& scope) {
    return scope.kind() == TnScope::Kind::kSpc && scope.value() == spc;
  });
  if (!held) {
    return refuse(ErrorCode::kNotAuthorized, "spc",
                  "SPC " + spc + " is not in the signer's TNAuthList");
  }
  if (textClaim(claims, "iss") != spc) {
    return refuse(ErrorCode::kNotAuthorized, "iss", "the JWT's iss is not its spc " + spc);
  }
  const std::vector<std::string> orig = numbersOf(claims, "orig");
  if (request.orig && (orig.size() != 1 || orig[0] != *request.orig)) {
    return refuse(ErrorCode::kNotAuthorized, "orig",
                  "the JWT's orig is not the path's " + *request.orig);
  }
  const std::vector<std::string> dest = numbersOf(claims, "dest");
  if (request.dest && std::find(dest.begin(), dest.end(), *request.dest) == dest.end()) {
    return refuse(ErrorCode::kNotAuthorized, "dest",
                  "the JWT's dest does not name the path's " + *request.dest);
  }
  return {};
}

Result<Instant> checkPublish(const nlohmann::json& claims, const BearerRequest& request,
                             const BearerRules& rules, Instant now) {
  auto exp = claims.find("exp");
  if (exp == claims.end() || !exp->is_number_integer()) {
    return refuse(ErrorCode::kMalformed, "exp", "a publish names its retention in \"exp\"");
  }
  const Instant expires{std::chrono::seconds(exp->get<std::int64_t>())};
  if (expires <= now || expires > now + rules.max_retention) {
    return refuse(ErrorCode::kExpired, "exp",
                  "the retention must end within " + std::to_string(rules.max_retention.count()) +
                      " s from now (RFC 8816 7.5)");
  }
  auto claimed = digestOf(textClaim(claims, "passports"));
  if (!claimed) {
    return refuse(ErrorCode::kMalformed, "passports",
                  "a publish names \"sha256-\" and the base64 SHA-256 of its passports array");
  }
  // The array as sent, or as this CPS writes it compactly: clients differ.
  const bool matches =
      (request.passports_as_sent && sha256(*request.passports_as_sent) == *claimed) ||
      (request.passports && sha256(request.passports->dump()) == *claimed);
  if (!matches) {
    return refuse(ErrorCode::kNotAuthorized, "passports",
                  "the digest is not the SHA-256 of the passports this request carries");
  }
  return expires;
}

}  // namespace

Result<VerifiedBearer> verifyBearer(std::string_view authorization, const BearerRequest& request,
                                    const BearerRules& rules, Instant now) {
  const std::string_view token = bearerToken(authorization);
  if (token.empty()) {
    return fail(ErrorCode::kNotAuthorized,
                "the request needs Authorization: Bearer and a JWT signed with a STIR certificate");
  }
  auto parsed = parseJws(token);
  if (!parsed) return failWithContext(parsed.error(), "the JWT");
  auto validated = validatedSignerChain(parsed->header, rules, now);
  if (!validated) return failWithContext(validated.error(), "the JWT's chain");
  EvpPkeyPtr leaf_key(X509_get_pubkey(const_cast<X509*>((*validated)->leaf())));
  if (auto ok = verifyRaw(leaf_key.get(), parsed->signing_input, parsed->signature); !ok) {
    return fail(ErrorCode::kBadSignature,
                "the JWT's signature does not verify with its certificate's key");
  }
  nlohmann::json claims = nlohmann::json::parse(parsed->payload, nullptr, false);
  if (!claims.is_object()) return fail(ErrorCode::kMalformed, "the JWT's claims are not JSON");

  auto iat = claims.find("iat");
  if (iat == claims.end() || !iat->is_number_integer()) {
    return refuse(ErrorCode::kMalformed, "iat", "the JWT has no integer \"iat\"");
  }
  const Instant issued{std::chrono::seconds(iat->get<std::int64_t>())};
  if (issued < now - rules.max_iat_skew || issued > now + rules.max_iat_skew) {
    return refuse(ErrorCode::kExpired, "iat",
                  "the JWT was issued " + std::to_string((now - issued).count()) +
                      " s ago; within " + std::to_string(rules.max_iat_skew.count()) +
                      " s is taken");
  }
  const auto aud = claims.find("aud");
  const bool for_us =
      aud != claims.end() &&
      ((aud->is_string() && *aud == rules.audience) ||
       (aud->is_array() && std::find(aud->begin(), aud->end(), rules.audience) != aud->end()));
  if (!for_us) {
    return refuse(ErrorCode::kNotAuthorized, "aud", "the JWT is not for " + rules.audience);
  }
  const std::string jti = textClaim(claims, "jti");
  if (jti.empty() || jti.size() > 256) {
    return refuse(ErrorCode::kMalformed, "jti", "the JWT needs a \"jti\" of 1 to 256 characters");
  }
  if (textClaim(claims, "action") != request.action) {
    return refuse(ErrorCode::kNotAuthorized, "action",
                  "this request takes action \"" + request.action + "\"");
  }
  // A jti is remembered as long as its JWT could still be taken.
  const Instant jti_kept_until = issued + rules.max_iat_skew;
  Instant retention = jti_kept_until;
  if (request.action == "token") {
    if (!request.body_digest || textClaim(claims, "req") != *request.body_digest) {
      return refuse(ErrorCode::kNotAuthorized, "req",
                    "the JWT's req is not the base64url SHA-256 of this request's body");
    }
  } else {
    if (auto ok = checkPathClaims(claims, request, **validated); !ok) {
      return std::unexpected(ok.error());
    }
    if (request.action == "publish") {
      auto kept = checkPublish(claims, request, rules, now);
      if (!kept) return std::unexpected(kept.error());
      retention = *kept;
    }
  }
  return VerifiedBearer{std::move(claims), std::move(*validated), jti, jti_kept_until, retention};
}

bool bearerWaitsForNothing(std::string_view authorization, const BearerRules& rules, Instant now) {
  const std::string_view token = bearerToken(authorization);
  if (token.empty()) return true;  // refused at once
  // Most JWTs carry their chain as x5c: a header that neither spells
  // "x5u" nor escapes a character cannot name one, and is told so without
  // parsing the chain it carries (a twentieth of issuing a token).
  if (const std::size_t dot = token.find('.'); dot != std::string_view::npos) {
    if (auto header = base64UrlDecode(token.substr(0, dot))) {
      const std::string_view text = asStringView(*header);
      if (text.find("x5u") == std::string_view::npos && text.find('\\') == std::string_view::npos) {
        return true;
      }
    }
  }
  auto parsed = parseJws(token);
  if (!parsed) return true;
  // Only an x5u is fetched, and not once its chain was validated lately.
  const std::string named_by = chainNamedBy(parsed->header);
  return !named_by.starts_with("x5u ") || (rules.validated && rules.validated->find(named_by, now));
}

}  // namespace keydir
