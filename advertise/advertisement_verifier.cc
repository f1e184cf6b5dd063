#include "advertise/advertisement_verifier.h"

#include "certs/base64.h"
#include "certs/encompassment.h"
#include "certs/jws.h"
#include "certs/pem.h"

namespace keydir {
namespace {

Result<Instant> headerTime(const nlohmann::json& header, const char* name) {
  auto member = header.find(name);
  if (member == header.end() || !member->is_number_integer()) {
    return fail(ErrorCode::kMalformed,
                std::string("advertisement header needs \"") + name + "\" in unix seconds");
  }
  return Instant(std::chrono::seconds(member->get<std::int64_t>()));
}

struct Times {
  Instant iat;
  std::optional<Instant> exp;
};

Result<Times> readTimes(const nlohmann::json& header, Instant now,
                        const AdvertisementPolicy& policy) {
  auto iat = headerTime(header, "iat");
  if (!iat) return std::unexpected(iat.error());
  if (*iat > now + policy.max_clock_skew) {
    return fail(ErrorCode::kMalformed, "advertisement iat " + rfc3339(*iat) +
                                           " is in the future (now " + rfc3339(now) + ")");
  }
  Times times{*iat, std::nullopt};
  if (!header.contains("exp")) return times;
  auto exp = headerTime(header, "exp");
  if (!exp) return std::unexpected(exp.error());
  if (*exp <= *iat) {
    return fail(ErrorCode::kMalformed,
                "advertisement exp " + rfc3339(*exp) + " is not after its iat " + rfc3339(*iat));
  }
  if (*exp <= now) {
    return fail(ErrorCode::kExpired, "advertisement expired at " + rfc3339(*exp) + " (now " +
                                         rfc3339(now) + "); sign a new one");
  }
  times.exp = *exp;
  return times;
}

}  // namespace

std::string advertisementId(std::string_view jws) { return base64UrlEncode(sha256(jws)); }

Result<VerifiedAdvertisement> verifyAdvertisement(std::string_view jws, const TrustStore& trust,
                                                  Instant now, const SpcMap* spc_map,
                                                  const AdvertisementPolicy& policy) {
  if (jws.size() > policy.limits.max_bytes) {
    return fail(ErrorCode::kPayloadTooLarge,
                "advertisement is " + std::to_string(jws.size()) + " bytes; at most " +
                    std::to_string(policy.limits.max_bytes) + " are accepted");
  }
  // Structure, header and payload first: they are cheap and their errors
  // are the most useful to someone writing an advertisement.
  auto parsed = parseJws(jws);
  if (!parsed) return std::unexpected(parsed.error());
  auto typ = parsed->header.find("typ");
  if (typ == parsed->header.end() || *typ != "cps-ad") {
    return fail(ErrorCode::kMalformed, "advertisement header needs \"typ\":\"cps-ad\"");
  }
  auto times = readTimes(parsed->header, now, policy);
  if (!times) return std::unexpected(times.error());
  auto entries = parseAdvertisementPayload(parsed->payload, policy.limits);
  if (!entries) return std::unexpected(entries.error());

  auto verified = verifyJws(jws, trust, now, spc_map, {policy.max_chain_length, false});
  if (!verified) return failWithContext(verified.error(), "advertisement");

  std::vector<TnScope> scopes;
  for (const auto& entry : *entries) scopes.push_back(entry.scope);
  if (auto covered = checkEncompassed(scopes, verified->chain.authority, spc_map); !covered) {
    return fail(
        ErrorCode::kNotAuthorized,
        "the signer's TNAuthList does not cover the advertisement: " + covered.error().message);
  }
  // Nothing outlives a certificate that vouches for it, the CA's included.
  Instant expires = verified->chain.leaf_not_after;
  for (const auto& certificate : verified->chain.certificates) {
    expires = std::min(expires, fromAsn1Time(X509_get0_notAfter(certificate.get())));
  }
  if (times->exp) expires = std::min(expires, *times->exp);
  std::vector<std::string> x5c_der;
  for (const auto& entry : verified->jws.header["x5c"]) {
    // jwsChain decoded every entry already; this cannot fail now.
    x5c_der.emplace_back(asStringView(base64Decode(entry.get<std::string>()).value()));
  }
  std::string signer = publicKeySha256Hex(verified->chain.leaf());
  return VerifiedAdvertisement{
      advertisementId(jws), std::string(jws), std::move(*entries), times->iat,
      times->exp,           expires,          std::move(signer),   std::move(verified->chain),
      std::move(x5c_der)};
}

}  // namespace keydir
