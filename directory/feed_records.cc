#include "directory/feed_records.h"

#include "advertise/advertisement_verifier.h"
#include "certs/base64.h"
#include "certs/json_fields.h"
#include "certs/pem.h"
#include "directory/key_record.h"

namespace keydir {

Result<NewKey> verifiedFeedKey(const std::string& id, const nlohmann::json& record,
                               const TrustStore& trust, Instant now, const SpcMap& spc_map) {
  auto verified = verifyKeyRecord(record, trust, now, &spc_map);
  if (!verified) return std::unexpected(verified.error());
  if (verified->id != id) {
    return fail(ErrorCode::kBadSignature,
                "the feed names key " + id + " but its credential is " + verified->id);
  }
  std::vector<std::string> chain_der;
  for (const auto& certificate : record["x5c"]) {
    auto der = base64Decode(certificate.get<std::string>());
    if (!der) return std::unexpected(der.error());
    chain_der.emplace_back(der->begin(), der->end());
  }
  return NewKey{verified->id,
                verified->serialized,
                verified->expires,
                publicKeySha256Hex(verified->chain.leaf()),
                verified->chain.authority,
                std::move(chain_der),
                record.dump()};
}

Result<NewAdvertisement> verifiedFeedAd(const std::string& id, const nlohmann::json& body,
                                        const TrustStore& trust, Instant now,
                                        const SpcMap& spc_map) {
  if (!body.is_object() || !body.contains("jws") || !body["jws"].is_string()) {
    return fail(ErrorCode::kMalformed, "an advertisement needs its \"jws\"");
  }
  auto verified = verifyAdvertisement(body["jws"].get<std::string>(), trust, now, &spc_map);
  if (!verified) return std::unexpected(verified.error());
  if (verified->id != id) {
    return fail(ErrorCode::kBadSignature,
                "the feed names advertisement " + id + " but its JWS is " + verified->id);
  }
  return NewAdvertisement{verified->id,  verified->jws,     verified->signer,  verified->iat,
                          verified->exp, verified->expires, verified->entries, verified->x5c_der};
}

Result<SpcAssignment> parsedFeedSpcEntry(const std::string& id, const nlohmann::json& body) {
  auto scope = TnScope::parse(body.is_object() ? textField(body, "scope") : "");
  std::string spc = body.is_object() ? textField(body, "spc") : "";
  if (!scope || scope->kind() == TnScope::Kind::kSpc || spc.empty() || scope->toString() != id) {
    return fail(ErrorCode::kMalformed,
                "an SPC-map entry needs a range or number \"scope\" equal to its id and an "
                "\"spc\"");
  }
  return SpcAssignment{*scope, spc};
}

std::string refusalReason(const Error& error) {
  if (error.message.find("\"scope\"") != std::string::npos) return "scope-mismatch";
  return std::string(errorTypeName(error.code));
}

}  // namespace keydir
