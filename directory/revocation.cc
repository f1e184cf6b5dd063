#include "directory/revocation.h"

#include <nlohmann/json.hpp>

#include "certs/encompassment.h"
#include "certs/jws.h"

namespace keydir {
namespace {

constexpr std::size_t kMaxJtiLength = 128;

Result<RevocationClaim> readPayload(std::string_view payload_text) {
  nlohmann::json payload = nlohmann::json::parse(payload_text, nullptr, false);
  if (!payload.is_object())
    return fail(ErrorCode::kMalformed, "revocation payload is not a JSON object");
  auto sub = payload.find("sub");
  auto iat = payload.find("iat");
  auto jti = payload.find("jti");
  if (sub == payload.end() || !sub->is_string() || iat == payload.end() ||
      !iat->is_number_integer() || jti == payload.end() || !jti->is_string() ||
      jti->get<std::string>().empty() || jti->get<std::string>().size() > kMaxJtiLength) {
    return fail(ErrorCode::kMalformed,
                "revocation payload needs \"sub\" (the key id), \"iat\" (unix seconds) and "
                "\"jti\" (1 to 128 characters)");
  }
  return RevocationClaim{
      sub->get<std::string>(), iat->get<std::int64_t>(), jti->get<std::string>(), {}};
}

}  // namespace

Result<RevocationClaim> verifyRevocation(std::string_view jws, const TrustStore& trust, Instant at,
                                         const SpcMap* spc_map, std::size_t max_chain_length) {
  ChainPolicy chain_policy{max_chain_length, false};
  auto verified = verifyJws(jws, trust, at, spc_map, chain_policy);
  if (!verified) return std::unexpected(verified.error());
  auto claim = readPayload(verified->jws.payload);
  if (!claim) return claim;
  claim->chain = std::move(verified->chain);
  return claim;
}

Result<Instant> claimedRevocationTime(std::string_view jws) {
  auto parsed = parseJws(jws);
  if (!parsed) return std::unexpected(parsed.error());
  auto claim = readPayload(parsed->payload);
  if (!claim) return std::unexpected(claim.error());
  return Instant(std::chrono::seconds(claim->iat));
}

Result<void> checkRevocationCovers(const RevocationClaim& claim,
                                   const std::vector<TnScope>& key_scopes, const SpcMap* spc_map) {
  if (auto covered = checkEncompassed(key_scopes, claim.chain.authority, spc_map); !covered) {
    return fail(
        ErrorCode::kNotAuthorized,
        "the revoking certificate's TNAuthList does not cover the key: " + covered.error().message);
  }
  return {};
}

}  // namespace keydir
