#include "certs/es256.h"

#include <openssl/ecdsa.h>
#include <openssl/err.h>

#include "certs/key_pair.h"
#include "certs/openssl_error.h"

namespace keydir {
namespace {

Result<void> requireP256(EVP_PKEY* key, std::string_view role) {
  auto type = keyTypeOf(key);
  if (!type || *type != KeyType::kP256) {
    return fail(ErrorCode::kUnsupportedKey,
                std::string(role) + " must be a P-256 key for ES256 / ecdsa_secp256r1_sha256" +
                    (type ? "" : " (" + type.error().message + ")"));
  }
  return {};
}

}  // namespace

Result<std::string> signDer(EVP_PKEY* key, std::string_view data) {
  if (auto ok = requireP256(key, "signing key"); !ok) return std::unexpected(ok.error());
  EvpMdCtxPtr context(EVP_MD_CTX_new());
  std::size_t length = 0;
  if (EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &length,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    return fail(ErrorCode::kUnavailable, drainOpensslErrors("cannot sign"));
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    return fail(ErrorCode::kUnavailable, drainOpensslErrors("cannot sign"));
  }
  signature.resize(length);
  return signature;
}

Result<void> verifyDer(EVP_PKEY* key, std::string_view data, std::string_view signature) {
  if (auto ok = requireP256(key, "signer's key"); !ok) return std::unexpected(ok.error());
  EvpMdCtxPtr context(EVP_MD_CTX_new());
  int verdict =
      EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key) == 1
          ? EVP_DigestVerify(
                context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                signature.size(), reinterpret_cast<const unsigned char*>(data.data()), data.size())
          : -1;
  ERR_clear_error();
  if (verdict != 1) {
    return fail(ErrorCode::kBadSignature, "signature does not verify with the signer's key");
  }
  return {};
}

Result<std::string> signRaw(EVP_PKEY* key, std::string_view data) {
  auto der = signDer(key, data);
  if (!der) return std::unexpected(der.error());
  const unsigned char* cursor = reinterpret_cast<const unsigned char*>(der->data());
  EcdsaSigPtr parsed(d2i_ECDSA_SIG(nullptr, &cursor, long(der->size())));
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(parsed.get()), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(parsed.get()), reinterpret_cast<unsigned char*>(raw.data()) + 32,
               32);
  return raw;
}

Result<void> verifyRaw(EVP_PKEY* key, std::string_view data, std::string_view signature) {
  if (signature.size() != 64) {
    return fail(ErrorCode::kBadSignature, "ES256 signature has " +
                                              std::to_string(signature.size()) +
                                              " bytes; RFC 7518 requires 64 (r||s)");
  }
  EcdsaSigPtr parsed(ECDSA_SIG_new());
  const auto* bytes = reinterpret_cast<const unsigned char*>(signature.data());
  BIGNUM* r = BN_bin2bn(bytes, 32, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + 32, 32, nullptr);
  ECDSA_SIG_set0(parsed.get(), r, s);  // the signature owns r and s from here
  unsigned char* der = nullptr;
  int length = i2d_ECDSA_SIG(parsed.get(), &der);
  std::string der_signature(reinterpret_cast<char*>(der), std::size_t(length));
  OPENSSL_free(der);
  return verifyDer(key, data, der_signature);
}

}  // namespace keydir
