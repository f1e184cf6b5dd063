#include "certs/privacy_pass.h"

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include "certs/der.h"
#include "certs/openssl_error.h"
#include "certs/pem.h"

namespace keydir {
namespace {

using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Free<&OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, Free<&OSSL_PARAM_free>>;

// AlgorithmIdentifier { id-RSASSA-PSS, RSASSA-PSS-params { sha384,
// mgf1(sha384), saltLength 48 } } in DER (RFC 4055 section 3.1), the only
// one RFC 9578 section 6.5 allows for token type 2.
constexpr unsigned char kPssAlgorithm[] = {
    0x30, 0x3d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x30, 0xa0,
    0x0d, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0xa1, 0x1a,
    0x30, 0x18, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x0b, 0x06,
    0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0xa2, 0x03, 0x02, 0x01, 0x30};
std::string_view pssAlgorithm() {
  return {reinterpret_cast<const char*>(kPssAlgorithm), sizeof kPssAlgorithm};
}

std::string u16(std::uint16_t value) { return {char(value >> 8), char(value & 0xFF)}; }

// Reads the fixed fields of the structures above front to back.
class Cursor {
 public:
  Cursor(std::string_view bytes, std::string_view what) : rest_(bytes), what_(what) {}
  Result<std::string> take(std::size_t length, std::string_view field) {
    if (rest_.size() < length) {
      return fail(ErrorCode::kMalformed, std::string(what_) + " ends inside " + std::string(field) +
                                             " (" + std::to_string(length) + " bytes)");
    }
    std::string out(rest_.substr(0, length));
    rest_.remove_prefix(length);
    return out;
  }
  Result<std::size_t> number(std::size_t width, std::string_view field) {
    auto raw = take(width, field);
    if (!raw) return std::unexpected(raw.error());
    std::size_t value = 0;
    for (char c : *raw) value = value << 8 | std::uint8_t(c);
    return value;
  }
  Result<void> typeIs(std::uint16_t expected) {
    auto type = number(2, "token_type");
    if (!type) return std::unexpected(type.error());
    if (*type != expected) {
      return fail(ErrorCode::kMalformed, std::string(what_) + " has token_type " +
                                             std::to_string(*type) + "; this issuer serves " +
                                             std::to_string(expected) + " (blind RSA 2048)");
    }
    return {};
  }
  Result<void> end() {
    if (!rest_.empty()) {
      return fail(ErrorCode::kMalformed,
                  std::string(what_) + " has " + std::to_string(rest_.size()) + " bytes too many");
    }
    return {};
  }

 private:
  std::string_view rest_;
  std::string_view what_;
};

// A DER INTEGER's content for a non-negative BIGNUM: minimal, with a zero
// byte first when the top bit is set.
std::string derUnsignedBig(const BIGNUM* number) {
  std::string content(std::size_t(BN_num_bytes(number)), '\0');
  BN_bn2bin(number, reinterpret_cast<unsigned char*>(content.data()));
  if (content.empty() || (std::uint8_t(content[0]) & 0x80)) content.insert(content.begin(), '\0');
  return content;
}

Result<BignumPtr> readPositiveInteger(DerReader& reader, std::string_view what) {
  auto element = reader.expect(der::kInteger, what);
  if (!element) return std::unexpected(element.error());
  const std::string_view content = element->content;
  if (content.empty() || (std::uint8_t(content[0]) & 0x80) ||
      (content.size() > 1 && content[0] == 0 && !(std::uint8_t(content[1]) & 0x80))) {
    return fail(ErrorCode::kMalformed, std::string(what) + " is not a minimal positive INTEGER");
  }
  return BignumPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(content.data()),
                             int(content.size()), nullptr));
}

std::string exactly(std::string_view field, std::size_t length) {
  return std::string(field) + " must be " + std::to_string(length) + " bytes";
}

}  // namespace

std::string encodeTokenChallenge(const TokenChallenge& challenge) {
  return u16(challenge.token_type) + u16(std::uint16_t(challenge.issuer_name.size())) +
         challenge.issuer_name + char(challenge.redemption_context.size()) +
         challenge.redemption_context + u16(std::uint16_t(challenge.origin_info.size())) +
         challenge.origin_info;
}

Result<TokenChallenge> parseTokenChallenge(std::string_view bytes) {
  Cursor cursor(bytes, "the TokenChallenge");
  TokenChallenge challenge;
  auto type = cursor.number(2, "token_type");
  if (!type) return std::unexpected(type.error());
  challenge.token_type = std::uint16_t(*type);
  auto issuer_length = cursor.number(2, "issuer_name's length");
  if (!issuer_length) return std::unexpected(issuer_length.error());
  if (*issuer_length == 0) return fail(ErrorCode::kMalformed, "the TokenChallenge has no issuer");
  auto issuer = cursor.take(*issuer_length, "issuer_name");
  if (!issuer) return std::unexpected(issuer.error());
  challenge.issuer_name = *issuer;
  auto context_length = cursor.number(1, "redemption_context's length");
  if (!context_length) return std::unexpected(context_length.error());
  if (*context_length != 0 && *context_length != 32) {
    return fail(ErrorCode::kMalformed, "a redemption_context is empty or 32 bytes");
  }
  auto context = cursor.take(*context_length, "redemption_context");
  if (!context) return std::unexpected(context.error());
  challenge.redemption_context = *context;
  auto origin_length = cursor.number(2, "origin_info's length");
  if (!origin_length) return std::unexpected(origin_length.error());
  auto origin = cursor.take(*origin_length, "origin_info");
  if (!origin) return std::unexpected(origin.error());
  challenge.origin_info = *origin;
  if (auto ok = cursor.end(); !ok) return std::unexpected(ok.error());
  return challenge;
}

Result<std::string> encodeTokenKey(const EVP_PKEY* rsa_key) {
  if (EVP_PKEY_get_base_id(rsa_key) != EVP_PKEY_RSA || EVP_PKEY_get_bits(rsa_key) != 2048) {
    return fail(ErrorCode::kUnsupportedKey, "a token key is a 2048-bit RSA key");
  }
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  EVP_PKEY_get_bn_param(rsa_key, OSSL_PKEY_PARAM_RSA_N, &n);
  EVP_PKEY_get_bn_param(rsa_key, OSSL_PKEY_PARAM_RSA_E, &e);
  BignumPtr owned_n(n), owned_e(e);
  if (!n || !e) return fail(ErrorCode::kUnsupportedKey, drainOpensslErrors("no RSA n or e"));
  // RFC 8017 appendix A.1.1 RSAPublicKey, in a BIT STRING with no unused bits.
  const std::string rsa_public_key =
      der::element(der::kSequence, der::element(der::kInteger, derUnsignedBig(n)) +
                                       der::element(der::kInteger, derUnsignedBig(e)));
  return der::element(der::kSequence,
                      std::string(pssAlgorithm()) + der::element(0x03, '\0' + rsa_public_key));
}

Result<EvpPkeyPtr> parseTokenKey(std::string_view spki) {
  DerReader outer(spki);
  auto sequence = outer.expect(der::kSequence, "SubjectPublicKeyInfo");
  if (!sequence) return std::unexpected(sequence.error());
  if (!outer.atEnd()) return fail(ErrorCode::kMalformed, "bytes after the token key");
  DerReader fields(sequence->content);
  auto algorithm = fields.expect(der::kSequence, "the key's algorithm");
  if (!algorithm) return std::unexpected(algorithm.error());
  // The identifier, parameters and all, byte for byte as section 6.5 has it.
  if (!sequence->content.starts_with(pssAlgorithm())) {
    return fail(ErrorCode::kUnsupportedKey,
                "a token key names id-RSASSA-PSS with SHA-384, MGF1-SHA-384 and salt 48");
  }
  auto bits = fields.expect(0x03, "subjectPublicKey");
  if (!bits) return std::unexpected(bits.error());
  if (!fields.atEnd() || bits->content.empty() || bits->content[0] != 0) {
    return fail(ErrorCode::kMalformed, "the token key's BIT STRING is not a whole RSAPublicKey");
  }
  DerReader key_outer(bits->content.substr(1));
  auto rsa = key_outer.expect(der::kSequence, "RSAPublicKey");
  if (!rsa) return std::unexpected(rsa.error());
  DerReader numbers(rsa->content);
  auto n = readPositiveInteger(numbers, "the modulus");
  if (!n) return std::unexpected(n.error());
  auto e = readPositiveInteger(numbers, "the public exponent");
  if (!e) return std::unexpected(e.error());
  if (!numbers.atEnd() || !key_outer.atEnd()) {
    return fail(ErrorCode::kMalformed, "bytes after the RSAPublicKey");
  }
  if (BN_num_bits(n->get()) != 2048) {
    return fail(ErrorCode::kUnsupportedKey, "a token key's modulus is 2048 bits");
  }
  ParamBldPtr build(OSSL_PARAM_BLD_new());
  if (!build || !OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n->get()) ||
      !OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e->get())) {
    return fail(ErrorCode::kUnavailable, drainOpensslErrors("cannot hold the token key"));
  }
  ParamsPtr params(OSSL_PARAM_BLD_to_param(build.get()));
  EvpPkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return fail(ErrorCode::kUnsupportedKey, drainOpensslErrors("the token key is not an RSA key"));
  }
  return EvpPkeyPtr(key);
}

std::string tokenKeyId(std::string_view spki) { return sha256(spki); }

std::string encodeTokenRequest(const TokenRequest& request) {
  return u16(request.token_type) + char(request.truncated_token_key_id) + request.blinded_msg;
}

Result<TokenRequest> parseTokenRequest(std::string_view bytes) {
  Cursor cursor(bytes, "the TokenRequest");
  if (auto ok = cursor.typeIs(kBlindRsaTokenType); !ok) return std::unexpected(ok.error());
  TokenRequest request;
  auto key_id = cursor.number(1, "truncated_token_key_id");
  if (!key_id) return std::unexpected(key_id.error());
  request.truncated_token_key_id = std::uint8_t(*key_id);
  if (bytes.size() != 3 + kBlindRsaNk) {
    return fail(ErrorCode::kMalformed, "the TokenRequest is " + std::to_string(bytes.size()) +
                                           " bytes; " +
                                           exactly("a blind RSA 2048 request", 3 + kBlindRsaNk));
  }
  request.blinded_msg = std::string(bytes.substr(3));
  return request;
}

Result<std::string> parseTokenResponse(std::string_view bytes) {
  if (bytes.size() != kBlindRsaNk) {
    return fail(ErrorCode::kMalformed, "the TokenResponse is " + std::to_string(bytes.size()) +
                                           " bytes; " + exactly("a blind signature", kBlindRsaNk));
  }
  return std::string(bytes);
}

std::string encodeToken(const Token& token) {
  return u16(token.token_type) + token.nonce + token.challenge_digest + token.token_key_id +
         token.authenticator;
}

Result<Token> parseToken(std::string_view bytes) {
  Cursor cursor(bytes, "the token");
  if (auto ok = cursor.typeIs(kBlindRsaTokenType); !ok) return std::unexpected(ok.error());
  if (bytes.size() != kTokenBytes) {
    return fail(ErrorCode::kMalformed, "the token is " + std::to_string(bytes.size()) + " bytes; " +
                                           exactly("a blind RSA 2048 token", kTokenBytes));
  }
  Token token;
  token.nonce = *cursor.take(32, "nonce");
  token.challenge_digest = *cursor.take(32, "challenge_digest");
  token.token_key_id = *cursor.take(32, "token_key_id");
  token.authenticator = *cursor.take(kBlindRsaNk, "authenticator");
  return token;
}

namespace {

// The message the authenticator signs (RFC 9578 section 6.1 token_input,
// section 6.4 token_authenticator_input): every field but itself.
std::string tokenInput(std::string_view nonce, std::string_view challenge_digest,
                       std::string_view token_key_id) {
  return u16(kBlindRsaTokenType) + std::string(nonce) + std::string(challenge_digest) +
         std::string(token_key_id);
}

}  // namespace

Result<TokenRequestDraft> draftTokenRequest(std::string_view token_key, std::string_view challenge,
                                            const FixedTokenRandomness* fixed) {
  auto key = parseTokenKey(token_key);
  if (!key) return std::unexpected(key.error());
  PendingToken pending;
  pending.nonce = fixed ? fixed->nonce : std::string(kTokenNonceBytes, '\0');
  if (!fixed && RAND_bytes(reinterpret_cast<unsigned char*>(pending.nonce.data()),
                           int(pending.nonce.size())) != 1) {
    return fail(ErrorCode::kUnavailable, drainOpensslErrors("no random nonce"));
  }
  pending.challenge_digest = sha256(challenge);
  pending.token_key_id = tokenKeyId(token_key);
  // PrepareIdentity (RFC 9474 section 4.1) leaves the message as it is.
  auto blinded = blindMessage(
      key->get(), tokenInput(pending.nonce, pending.challenge_digest, pending.token_key_id),
      fixed ? &fixed->blind : nullptr);
  if (!blinded) return std::unexpected(blinded.error());
  pending.inv = blinded->inv;
  TokenRequest request;
  request.truncated_token_key_id = std::uint8_t(pending.token_key_id.back());
  request.blinded_msg = blinded->blinded_msg;
  return TokenRequestDraft{encodeTokenRequest(request), std::move(pending)};
}

Result<std::string> finalizeToken(std::string_view token_key, const PendingToken& pending,
                                  std::string_view token_response) {
  auto key = parseTokenKey(token_key);
  if (!key) return std::unexpected(key.error());
  auto blind_sig = parseTokenResponse(token_response);
  if (!blind_sig) return std::unexpected(blind_sig.error());
  auto signature = finalizeSignature(
      key->get(), tokenInput(pending.nonce, pending.challenge_digest, pending.token_key_id),
      *blind_sig, pending.inv);
  if (!signature) return std::unexpected(signature.error());
  return encodeToken(Token{kBlindRsaTokenType, pending.nonce, pending.challenge_digest,
                           pending.token_key_id, *signature});
}

Result<std::string> issueTokenResponse(const BlindRsaSigner& signer, const TokenRequest& request) {
  return signer.sign(request.blinded_msg);
}

Result<std::string> issueTokenResponse(const EVP_PKEY* private_key, const TokenRequest& request) {
  auto signer = BlindRsaSigner::forKey(private_key);
  if (!signer) return std::unexpected(signer.error());
  return issueTokenResponse(*signer, request);
}

Result<void> verifyTokenSignature(const Token& token, const BlindRsaVerifier& verifier) {
  return verifier.verify(tokenInput(token.nonce, token.challenge_digest, token.token_key_id),
                         token.authenticator);
}

Result<void> verifyTokenSignature(const Token& token, const EVP_PKEY* public_key) {
  auto verifier = BlindRsaVerifier::forKey(public_key);
  if (!verifier) return std::unexpected(verifier.error());
  return verifyTokenSignature(token, *verifier);
}

}  // namespace keydir
