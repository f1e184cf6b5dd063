#pragma once
// Privacy Pass publicly verifiable tokens, token type 0x0002 (RFC 9578
// section 6, blind RSA 2048 over RFC 9474), and the byte encodings the
// HTTP scheme carries (RFC 9577): TokenChallenge, the issuer's public key
// as published (`token-key`), TokenRequest, TokenResponse and Token. The
// issuer, the client and the redeemer each find their step here; the HTTP
// around them is the caller's. Parsers are strict: a length, a type or a
// trailing byte that is not as the RFC says is kMalformed, naming what.

#include <cstdint>
#include <string>
#include <string_view>

#include "certs/blind_rsa.h"
#include "certs/error.h"
#include "certs/openssl_ptr.h"

namespace keydir {

inline constexpr std::uint16_t kBlindRsaTokenType = 0x0002;
inline constexpr std::size_t kBlindRsaNk = 256;  // bytes of a 2048-bit modulus
inline constexpr std::size_t kTokenNonceBytes = 32;
inline constexpr std::size_t kTokenBytes = 2 + 32 + 32 + 32 + kBlindRsaNk;

// RFC 9577 section 2.1.
struct TokenChallenge {
  std::uint16_t token_type = kBlindRsaTokenType;
  std::string issuer_name;
  std::string redemption_context;  // empty or 32 bytes
  std::string origin_info;         // origin names, comma-separated; may be empty
};
std::string encodeTokenChallenge(const TokenChallenge& challenge);
Result<TokenChallenge> parseTokenChallenge(std::string_view bytes);

// The issuer's public key as RFC 9578 section 6.5 publishes it: a DER
// SubjectPublicKeyInfo naming id-RSASSA-PSS with SHA-384, MGF1-SHA-384 and
// a 48-byte salt. token_key_id is SHA-256 of exactly these bytes.
Result<std::string> encodeTokenKey(const EVP_PKEY* rsa_key);
// The key back from those bytes; kUnsupportedKey for another algorithm,
// other PSS parameters or a modulus that is not 2048 bits.
Result<EvpPkeyPtr> parseTokenKey(std::string_view spki);
std::string tokenKeyId(std::string_view spki);

// RFC 9578 section 6.1.
struct TokenRequest {
  std::uint16_t token_type = kBlindRsaTokenType;
  std::uint8_t truncated_token_key_id = 0;  // the last byte of token_key_id
  std::string blinded_msg;                  // kBlindRsaNk bytes
};
std::string encodeTokenRequest(const TokenRequest& request);
Result<TokenRequest> parseTokenRequest(std::string_view bytes);

// RFC 9578 section 6.2: the TokenResponse is the blind signature alone.
Result<std::string> parseTokenResponse(std::string_view bytes);

// RFC 9578 section 6.3 (and RFC 9577 section 2.2).
struct Token {
  std::uint16_t token_type = kBlindRsaTokenType;
  std::string nonce;             // 32 bytes
  std::string challenge_digest;  // SHA-256 of the TokenChallenge
  std::string token_key_id;      // SHA-256 of the token key
  std::string authenticator;     // kBlindRsaNk bytes
};
std::string encodeToken(const Token& token);
Result<Token> parseToken(std::string_view bytes);

// The client's side. What it keeps between request and response.
struct PendingToken {
  std::string nonce;
  std::string challenge_digest;
  std::string token_key_id;
  std::string inv;
};
struct TokenRequestDraft {
  std::string request;  // the TokenRequest's bytes, for the issuer
  PendingToken pending;
};
// For tests: the nonce and blinding RFC 9578 Appendix A.2 fixes.
struct FixedTokenRandomness {
  std::string nonce;
  BlindRandomness blind;
};
// RFC 9578 section 6.1: a fresh nonce, blinded for `token_key` (its bytes
// as published) under `challenge` (a TokenChallenge's bytes).
Result<TokenRequestDraft> draftTokenRequest(std::string_view token_key, std::string_view challenge,
                                            const FixedTokenRandomness* fixed = nullptr);
// RFC 9578 section 6.3: the Token's bytes, once the issuer's
// TokenResponse unblinds to a signature that verifies.
Result<std::string> finalizeToken(std::string_view token_key, const PendingToken& pending,
                                  std::string_view token_response);

// The issuer's side (section 6.2): the TokenResponse for a request that
// parsed and names this key.
Result<std::string> issueTokenResponse(const EVP_PKEY* private_key, const TokenRequest& request);
// The same with a signer prepared for the key, as an issuing server holds.
Result<std::string> issueTokenResponse(const BlindRsaSigner& signer, const TokenRequest& request);

// The redeemer's side (section 6.4): the authenticator is a valid
// signature by `public_key` over the token's other fields.
Result<void> verifyTokenSignature(const Token& token, const EVP_PKEY* public_key);
// The same with a verifier prepared for the key, as a redeeming server holds.
Result<void> verifyTokenSignature(const Token& token, const BlindRsaVerifier& verifier);

}  // namespace keydir
