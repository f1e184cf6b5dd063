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

Result<TokenIssuer> tokenIssuerOf(DirectoryClient& client, const std::string& base_path,
                                  Instant now) {
  auto answer = client.call("GET", "/.well-known/private-token-issuer-directory");
  if (!answer) return std::unexpected(answer.error());
  const auto directory = nlohmann::json::parse(answer->body, nullptr, false);
  auto token_key = tokenKeyOf(directory, now);
  if (!token_key) return std::unexpected(token_key.error());
  std::string request_uri = directory.value("issuer-request-uri", "");
  if (request_uri.empty()) request_uri = base_path + "/cps/token-request";
  return TokenIssuer{request_uri, *token_key};
}

Result<TokenRequestToSend> prepareTokenRequest(const TokenIssuer& issuer, const std::string& name,
                                               const TokenHolder& holder, Instant now) {
  auto draft = draftTokenRequest(issuer.token_key,
                                 encodeTokenChallenge({kBlindRsaTokenType, name, "", name}));
  if (!draft) return std::unexpected(draft.error());
  const nlohmann::json claims = {{"iat", unixTime(now)},
                                 {"jti", freshJti()},
                                 {"aud", name},
                                 {"action", "token"},
                                 {"req", base64UrlEncode(sha256(draft->request))}};
  auto jwt = signJws({}, claims.dump(), holder.key, *holder.chain);
  if (!jwt) return std::unexpected(jwt.error());
  return TokenRequestToSend{std::move(draft->request), "Bearer " + *jwt, std::move(draft->pending)};
}

Result<std::string> tokenFromResponse(const TokenIssuer& issuer, const PendingToken& pending,
                                      std::string_view response) {
  auto token = finalizeToken(issuer.token_key, pending, response);
  if (!token) return failWithContext(token.error(), "the CPS's TokenResponse");
  return base64UrlEncodePadded(*token);
}

Result<void> fetchStorageTokens(DirectoryClient& client, const std::string& base_path,
                                const TokenHolder& holder, std::size_t count, TokenWallet& wallet,
                                Instant now) {
  auto issuer = tokenIssuerOf(client, base_path, now);
  if (!issuer) return std::unexpected(issuer.error());
  wallet.token_key = base64UrlEncodePadded(issuer->token_key);
  for (std::size_t made = 0; made < count; ++made) {
    auto request = prepareTokenRequest(*issuer, wallet.name, holder, now);
    if (!request) return std::unexpected(request.error());
    auto issued = client.request("POST", issuer->request_uri, request->body,
                                 "application/private-token-request",
                                 {{"Authorization", request->authorization},
                                  {"Accept", "application/private-token-response"}});
    if (!issued) return std::unexpected(issued.error());
    if (issued->status != 200) return std::unexpected(errorFromProblem(*issued));
    auto token = tokenFromResponse(*issuer, request->pending, issued->body);
    if (!token) return std::unexpected(token.error());
    wallet.tokens.push_back(std::move(*token));
  }
  return {};
}

std::string privateTokenAuthorization(const std::string& token) {
  return "PrivateToken token=\"" + token + "\"";
}

}  // namespace keydir
