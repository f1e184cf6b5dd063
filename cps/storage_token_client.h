#pragma once
// A storer's side of storage tokens (docs/design.md section 14): fetching
// tokens from a CPS as the holder of a STIR certificate (RFC 9578 section
// 6, one TokenRequest per request, each with its own JWT), and the file
// that keeps them until stores spend them, one each.

#include <filesystem>
#include <string>
#include <vector>

#include "certs/error.h"
#include "certs/instant.h"
#include "certs/openssl_ptr.h"
#include "certs/privacy_pass.h"
#include "directory/client/directory_client.h"

namespace keydir {

// What `keydir cps tokens` writes: tokens are base64url (padded, as they
// are sent), all for one CPS. A 0600 file: whoever reads it may store.
struct TokenWallet {
  std::string cps;        // the CPS URI they were fetched from
  std::string name;       // the CPS's name: issuer and origin of the challenge
  std::string token_key;  // base64url of the key that signed them
  std::vector<std::string> tokens;
};
Result<TokenWallet> readTokenWallet(const std::filesystem::path& file);
Result<void> writeTokenWallet(const std::filesystem::path& file, const TokenWallet& wallet);

struct TokenHolder {
  const std::vector<X509Ptr>* chain = nullptr;  // the STIR certificate, leaf first
  EVP_PKEY* key = nullptr;                      // its P-256 key
};

// Where a CPS takes TokenRequests, and the key (as published) it issues
// with now, from its issuer directory (RFC 9578 section 4).
struct TokenIssuer {
  std::string request_uri;
  std::string token_key;
};
Result<TokenIssuer> tokenIssuerOf(DirectoryClient& client, const std::string& base_path,
                                  Instant now);

// One token's request, ready to send: the TokenRequest, its Authorization
// (a fresh JWT of `holder`'s, `aud` the CPS's `name`, iat `now`), and what
// finalizing its answer needs.
struct TokenRequestToSend {
  std::string body;
  std::string authorization;
  PendingToken pending;
};
Result<TokenRequestToSend> prepareTokenRequest(const TokenIssuer& issuer, const std::string& name,
                                               const TokenHolder& holder, Instant now);
// The token, base64url as it is sent, from the CPS's TokenResponse.
Result<std::string> tokenFromResponse(const TokenIssuer& issuer, const PendingToken& pending,
                                      std::string_view response);

// Fetches `count` tokens into `wallet` from the CPS `client` talks to,
// named wallet.name (the audience of the JWTs and the challenge's issuer),
// under `base_path`; `now` is the JWTs' iat. Stops at the first refusal,
// returning the error; tokens already made are in `wallet` even then.
Result<void> fetchStorageTokens(DirectoryClient& client, const std::string& base_path,
                                const TokenHolder& holder, std::size_t count, TokenWallet& wallet,
                                Instant now);

// The Authorization header that spends `token`.
std::string privateTokenAuthorization(const std::string& token);

}  // namespace keydir
