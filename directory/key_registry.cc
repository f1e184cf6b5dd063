#include "directory/key_registry.h"

#include <nlohmann/json.hpp>

#include "certs/base64.h"
#include "certs/encompassment.h"
#include "certs/hex.h"
#include "certs/jws.h"
#include "certs/key_pair.h"
#include "certs/pem.h"
#include "certs/tn.h"
#include "directory/key_record.h"
#include "directory/revocation.h"

namespace keydir {
namespace {

Result<nlohmann::json> parseObject(std::string_view text, std::string_view what) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  if (value.is_discarded() || !value.is_object()) {
    return fail(ErrorCode::kMalformed, std::string(what) + " is not a JSON object");
  }
  return value;
}

}  // namespace

Result<NewKey> KeyRegistry::prepareKey(std::string_view body, Instant now) const {
  auto request = parseObject(body, "request body");
  if (!request) return std::unexpected(request.error());
  auto dc_field = request->find("dc");
  if (dc_field == request->end() || !dc_field->is_string()) {
    return fail(ErrorCode::kMalformed, "body needs \"dc\": the delegated credential, base64url");
  }
  auto dc = base64UrlDecode(dc_field->get<std::string>());
  if (!dc) return failWithContext(dc.error(), "dc");
  auto chain = jwsChain(*request);
  if (!chain) return std::unexpected(chain.error());

  auto verified = verifyCredential(asStringView(*dc), *chain, trust_, now, &store_.spcMap(),
                                   policy_.credential);
  if (!verified) return std::unexpected(verified.error());

  std::vector<std::string> chain_der;
  for (const auto& certificate : *chain) chain_der.push_back(certificateDer(certificate.get()));
  return NewKey{verified->id,
                verified->serialized,
                verified->expires,
                publicKeySha256Hex(verified->chain.leaf()),
                verified->chain.authority,
                chain_der,
                buildKeyRecord(*verified, chain_der, policy_.public_url).dump()};
}

Result<Registration> KeyRegistry::registerKey(std::string_view body, Instant now) {
  auto prepared = prepareKey(body, now);
  if (!prepared) return std::unexpected(prepared.error());
  const NewKey& key = *prepared;
  auto outcome = store_.insertKey(key, now, policy_.max_keys_per_signer_scope);
  if (!outcome) return std::unexpected(outcome.error());
  if (*outcome == InsertOutcome::kAlreadyPresent) {
    auto stored = store_.findKey(key.id);
    if (!stored) return std::unexpected(stored.error());
    if (*stored) return Registration{key.id, (*stored)->record, false};
  }
  return Registration{key.id, key.record, true};
}

Result<StoredKey> KeyRegistry::key(const std::string& id) {
  auto stored = store_.findKey(id);
  if (!stored) return std::unexpected(stored.error());
  if (!*stored) return fail(ErrorCode::kNotFound, "no key with id " + id);
  return std::move(**stored);
}

Result<TnKeys> KeyRegistry::lookup(std::string_view tn, Instant now) {
  auto canonical = canonicalTn(tn);
  if (!canonical) return std::unexpected(canonical.error());
  std::int64_t as_of = 0;
  auto keys = store_.keysForTn(*canonical, now, &as_of);
  if (!keys) return std::unexpected(keys.error());
  return TnKeys{std::move(*canonical), std::move(*keys), as_of};
}

Result<StoredKey> KeyRegistry::revoke(const std::string& id, std::string_view jws, Instant now) {
  auto claim =
      verifyRevocation(jws, trust_, now, &store_.spcMap(), policy_.credential.max_chain_length);
  if (!claim) return std::unexpected(claim.error());
  if (claim->sub != id) {
    return fail(ErrorCode::kMalformed,
                "revocation is for key " + claim->sub + ", not for " + id + " named in the path");
  }
  auto age = now.time_since_epoch().count() - claim->iat;
  if (age > policy_.revocation_window.count() || -age > policy_.revocation_window.count()) {
    return fail(ErrorCode::kExpired, "revocation iat is " + std::to_string(age) +
                                         " seconds from the directory's "
                                         "clock; it must be within " +
                                         std::to_string(policy_.revocation_window.count()) +
                                         " seconds");
  }
  auto stored = key(id);
  if (!stored) return std::unexpected(stored.error());
  if (auto covered = checkRevocationCovers(*claim, stored->scopes, &store_.spcMap()); !covered) {
    return std::unexpected(covered.error());
  }
  return store_.revokeKey(id, claim->jti, jws, now);
}

}  // namespace keydir
