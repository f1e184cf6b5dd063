#pragma once
// Storage tokens (docs/design.md section 14, RFC 8816 section 7.5 as
// Privacy Pass): the CPS issues blind-RSA tokens (RFC 9578 type 2) to
// holders of a STIR certificate, at most `tokens_per_hour` to each, and a
// store spends one, in the RFC 9577 HTTP scheme. The CPS learns who asked
// for tokens but not which store spent which: the token it sees was never
// seen at issuance. Each nonce is spent once, in the shared store, so a
// token spent at one CPS process is spent at all.

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "certs/error.h"
#include "certs/instant.h"
#include "cps/entry_store.h"
#include "cps/token_keys.h"

namespace keydir {

struct TokenRules {
  std::string name;  // the CPS's: issuer and origin of its challenge
  std::size_t tokens_per_hour = 10000;
};

// The bytes of `Authorization: PrivateToken token="..."`'s token; kNotAuthorized
// when the header is not that scheme or the value is not padded base64url.
Result<std::string> privateTokenFrom(std::string_view authorization);

class StorageTokens {
 public:
  StorageTokens(EntryStore& store, TokenKeys& keys, TokenRules rules);

  // RFC 9577 section 2.1: type 2, issuer and origin the CPS's name, no
  // redemption context. Every token this CPS takes was drawn against it.
  const std::string& challenge() const { return challenge_; }
  // `PrivateToken challenge="..", token-key=".."` for a 401.
  Result<std::string> wwwAuthenticate(Instant now);
  // RFC 9578 section 4's directory; `request_uri` where TokenRequests go.
  Result<nlohmann::json> issuerDirectory(const std::string& request_uri, Instant now);

  // Signs a TokenRequest for `holder` (the requesting certificate's key,
  // already authenticated). kRateLimited past tokens_per_hour for the
  // holder (`retry_after` then says when the hour turns); kMalformed for a
  // request that does not parse, names no current key, or whose blinded
  // message is not below the modulus.
  Result<std::string> issue(std::string_view token_request, const std::string& holder, Instant now,
                            std::chrono::seconds* retry_after = nullptr);

  // Checks the token an Authorization header carries and spends its nonce.
  // kNotAuthorized names why: no token, malformed, another CPS's or a
  // rotated-out key, another challenge, a bad signature, spent before.
  // kUnavailable when the store does not answer. A refused token is not
  // spent.
  Result<void> redeem(std::string_view authorization, Instant now);

  // Tokens held as spent, of every key taken at `now`.
  Result<std::size_t> spentHeld(Instant now);

 private:
  EntryStore& store_;
  TokenKeys& keys_;
  TokenRules rules_;
  std::string challenge_;
  std::string challenge_digest_;
};

}  // namespace keydir
