#include "cps/storage_token_client.h"

#include <nlohmann/json.hpp>

#include "certs/base64.h"
#include "certs/jws.h"
#include "certs/pem.h"
#include "certs/privacy_pass.h"

namespace keydir {
namespace {

Result<std::string> decodedKey(const std::string& text) {
  auto bytes = base64UrlDecodePadded(text);
  if (!bytes) return failWithContext(bytes.error(), "the issuer directory's token-key");
  return std::string(asStringView(*bytes));
}

// The first key of the issuer directory that is in force (RFC 9578
// section 4: earlier keys are preferred; a not-before ahead is not yet).
Result<std::string> tokenKeyOf(const nlohmann::json& directory, Instant now) {
  if (!directory.is_object() || !directory.contains("token-keys") ||
      !directory["token-keys"].is_array()) {
    return fail(ErrorCode::kMalformed, "the issuer directory has no token-keys");
  }
  for (const auto& key : directory["token-keys"]) {
    if (!key.is_object() || key.value("token-type", 0) != kBlindRsaTokenType ||
        !key.contains("token-key") || !key["token-key"].is_string()) {
      continue;
    }
    if (key.contains("not-before") && key["not-before"].is_number_integer() &&
        key["not-before"].get<long long>() > unixTime(now)) {
      continue;
    }
    return decodedKey(key["token-key"].get<std::string>());
  }
  return fail(ErrorCode::kNotFound, "the issuer directory lists no blind RSA key in force");
}

}  // namespace

Result<TokenWallet> readTokenWallet(const std::filesystem::path& file) {
  auto text = readFile(file);
  if (!text) return std::unexpected(text.error());
  auto parsed = nlohmann::json::parse(*text, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("tokens") || !parsed["tokens"].is_array()) {
    return fail(ErrorCode::kMalformed,
                file.string() + " is not a token file that `keydir cps tokens` wrote");
  }
  TokenWallet wallet;
  wallet.cps = parsed.value("cps", "");
  wallet.name = parsed.value("name", "");
  wallet.token_key = parsed.value("token_key", "");
  for (const auto& token : parsed["tokens"]) {
    if (token.is_string()) wallet.tokens.push_back(token.get<std::string>());
  }
  return wallet;
}

Result<void> writeTokenWallet(const std::filesystem::path& file, const TokenWallet& wallet) {
  return writeFile(file,
                   nlohmann::json{{"cps", wallet.cps},
                                  {"name", wallet.name},
                                  {"token_key", wallet.token_key},
                                  {"tokens", wallet.tokens}}
                       .dump(1),
                   true);
}

Result<void> fetchStorageTokens(DirectoryClient& client, const std::string& base_path,
                                const TokenHolder& holder, std::size_t count, TokenWallet& wallet,
                                Instant now) {
  auto answer = client.call("GET", "/.well-known/private-token-issuer-directory");
  if (!answer) return std::unexpected(answer.error());
  const auto directory = nlohmann::json::parse(answer->body, nullptr, false);
  auto token_key = tokenKeyOf(directory, now);
  if (!token_key) return std::unexpected(token_key.error());
  std::string request_uri = directory.value("issuer-request-uri", "");
  if (request_uri.empty()) request_uri = base_path + "/cps/token-request";
  wallet.token_key = base64UrlEncodePadded(*token_key);
  const std::string challenge =
      encodeTokenChallenge({kBlindRsaTokenType, wallet.name, "", wallet.name});
  for (std::size_t made = 0; made < count; ++made) {
    auto draft = draftTokenRequest(*token_key, challenge);
    if (!draft) return std::unexpected(draft.error());
    const nlohmann::json claims = {{"iat", unixTime(now)},
                                   {"jti", freshJti()},
                                   {"aud", wallet.name},
                                   {"action", "token"},
                                   {"req", base64UrlEncode(sha256(draft->request))}};
    auto jwt = signJws({}, claims.dump(), holder.key, *holder.chain);
    if (!jwt) return std::unexpected(jwt.error());
    auto issued = client.request(
        "POST", request_uri, draft->request, "application/private-token-request",
        {{"Authorization", "Bearer " + *jwt}, {"Accept", "application/private-token-response"}});
    if (!issued) return std::unexpected(issued.error());
    if (issued->status != 200) return std::unexpected(errorFromProblem(*issued));
    auto token = finalizeToken(*token_key, draft->pending, issued->body);
    if (!token) return failWithContext(token.error(), "the CPS's TokenResponse");
    wallet.tokens.push_back(base64UrlEncodePadded(*token));
  }
  return {};
}

std::string privateTokenAuthorization(const std::string& token) {
  return "PrivateToken token=\"" + token + "\"";
}

}  // namespace keydir
