#include "cps/storage_tokens.h"

#include <Poco/String.h>

#include <algorithm>

#include "certs/base64.h"
#include "certs/hex.h"
#include "certs/pem.h"
#include "certs/privacy_pass.h"

namespace keydir {
namespace {

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::unexpected<Error> refuse(std::string why) {
  return fail(ErrorCode::kNotAuthorized, "storage token: " + std::move(why));
}

}  // namespace

Result<std::string> privateTokenFrom(std::string_view authorization) {
  authorization = trimmed(authorization);
  const std::size_t space = authorization.find(' ');
  if (authorization.empty() ||
      Poco::icompare(std::string(authorization.substr(0, space)), "PrivateToken") != 0) {
    return refuse(
        "a store needs Authorization: PrivateToken token=\"...\" (RFC 9577); get tokens with "
        "`keydir cps tokens`");
  }
  // RFC 9110 section 11.2 auth-params, comma-separated; only `token` matters.
  std::string_view params = authorization.substr(space == std::string_view::npos ? 0 : space);
  while (!params.empty()) {
    const std::size_t comma = params.find(',');
    std::string_view param = trimmed(params.substr(0, comma));
    params = comma == std::string_view::npos ? "" : params.substr(comma + 1);
    const std::size_t equals = param.find('=');
    if (equals == std::string_view::npos ||
        Poco::icompare(std::string(trimmed(param.substr(0, equals))), "token") != 0) {
      continue;
    }
    std::string_view value = trimmed(param.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    auto bytes = base64UrlDecodePadded(value);
    if (!bytes) return refuse("the token is not padded base64url: " + bytes.error().message);
    return std::string(asStringView(*bytes));
  }
  return refuse("the PrivateToken authorization has no token parameter");
}

StorageTokens::StorageTokens(EntryStore& store, TokenKeys& keys, TokenRules rules)
    : store_(store), keys_(keys), rules_(std::move(rules)) {
  challenge_ = encodeTokenChallenge({kBlindRsaTokenType, rules_.name, "", rules_.name});
  challenge_digest_ = sha256(challenge_);
}

Result<std::string> StorageTokens::wwwAuthenticate(Instant now) {
  auto key = keys_.current(now);
  if (!key) return std::unexpected(key.error());
  return "PrivateToken challenge=\"" + base64UrlEncodePadded(challenge_) + "\", token-key=\"" +
         base64UrlEncodePadded((*key)->token_key) + "\"";
}

Result<nlohmann::json> StorageTokens::issuerDirectory(const std::string& request_uri, Instant now) {
  auto keys = keys_.redeemable(now);
  if (!keys) return std::unexpected(keys.error());
  nlohmann::json listed = nlohmann::json::array();
  for (const auto& key : *keys) {
    listed.push_back({{"token-type", kBlindRsaTokenType},
                      {"token-key", base64UrlEncodePadded(key->token_key)},
                      {"not-before", unixTime(key->not_before)}});
  }
  return nlohmann::json{{"issuer-request-uri", request_uri}, {"token-keys", listed}};
}

Result<std::string> StorageTokens::issue(std::string_view token_request, const std::string& holder,
                                         Instant now, std::chrono::seconds* retry_after) {
  auto request = parseTokenRequest(token_request);
  if (!request) return std::unexpected(request.error());
  auto key = keys_.current(now);
  if (!key) return std::unexpected(key.error());
  if (request->truncated_token_key_id != std::uint8_t((*key)->id.back())) {
    return fail(ErrorCode::kMalformed,
                "the TokenRequest names a key whose id ends " +
                    hexCode(request->truncated_token_key_id, 2) +
                    ", not this CPS's current key (ending " +
                    hexCode(std::uint8_t((*key)->id.back()), 2) +
                    "): fetch /.well-known/private-token-issuer-directory again");
  }
  // Checked here, not only by the signer, so that a request that cannot be
  // signed does not count against the holder's hour.
  if (request->blinded_msg >= (*key)->modulus) {
    return fail(ErrorCode::kMalformed,
                "the blinded message must be below the key's modulus (RFC 9474 section 4.3)");
  }
  const long long hour = unixTime(now) / 3600;
  const Instant hour_end{std::chrono::seconds((hour + 1) * 3600)};
  auto count = store_.countInWindow("tokens " + holder + " " + std::to_string(hour), hour_end);
  if (!count) return std::unexpected(count.error());
  if (*count > rules_.tokens_per_hour) {
    if (retry_after) *retry_after = hour_end - now;
    return fail(ErrorCode::kRateLimited, "this certificate's key had its " +
                                             std::to_string(rules_.tokens_per_hour) +
                                             " tokens this hour (tokens_per_hour)");
  }
  return issueTokenResponse(*(*key)->signer, *request);
}

Result<void> StorageTokens::redeem(std::string_view authorization, Instant now) {
  auto bytes = privateTokenFrom(authorization);
  if (!bytes) return std::unexpected(bytes.error());
  auto token = parseToken(*bytes);
  if (!token) return refuse(token.error().message);
  auto keys = keys_.redeemable(now);
  if (!keys) return std::unexpected(keys.error());
  auto key = std::find_if(keys->begin(), keys->end(),
                          [&](const auto& held) { return held->id == token->token_key_id; });
  if (key == keys->end()) {
    if (auto retired = keys_.retiredAt(token->token_key_id)) {
      return refuse("its key was rotated out at " + rfc3339(*retired) +
                    ", a grace period after its last day; get new tokens");
    }
    return refuse("its key " + hexEncode(token->token_key_id).substr(0, 16) +
                  "... is not one of this CPS's (another CPS's token?)");
  }
  if (token->challenge_digest != challenge_digest_) {
    return refuse("it was drawn for another challenge than this CPS's (issuer and origin '" +
                  rules_.name + "')");
  }
  if (auto ok = verifyTokenSignature(*token, *(*key)->verifier); !ok) {
    return refuse("its authenticator does not verify: the token was altered");
  }
  auto fresh = store_.spendToken(token->token_key_id, token->nonce, (*key)->redeem_until);
  if (!fresh) return std::unexpected(fresh.error());
  if (!*fresh) return refuse("it was spent before; each token stores once");
  return {};
}

Result<std::size_t> StorageTokens::spentHeld(Instant now) {
  auto keys = keys_.redeemable(now);
  if (!keys) return std::unexpected(keys.error());
  std::size_t held = 0;
  for (const auto& key : *keys) {
    auto spent = store_.tokensSpent(key->id, key->redeem_until);
    if (!spent) return std::unexpected(spent.error());
    held += *spent;
  }
  return held;
}

}  // namespace keydir
