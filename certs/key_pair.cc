#include "certs/key_pair.h"

#include <openssl/core_names.h>
#include <openssl/x509.h>

#include "certs/base64.h"
#include "certs/i2d.h"
#include "certs/openssl_error.h"

namespace keydir {
namespace {

std::string bignumParam(const EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  EVP_PKEY_get_bn_param(key, name, &raw);
  BignumPtr value(raw);
  std::string bytes(32, '\0');
  if (value) BN_bn2binpad(value.get(), reinterpret_cast<unsigned char*>(bytes.data()), 32);
  return bytes;
}

}  // namespace

std::string_view keyTypeName(KeyType type) { return type == KeyType::kX25519 ? "X25519" : "P-256"; }

Result<KeyType> parseKeyTypeName(std::string_view name) {
  if (name == "X25519" || name == "x25519") return KeyType::kX25519;
  if (name == "P-256" || name == "p256" || name == "p-256") return KeyType::kP256;
  return fail(ErrorCode::kUnsupportedKey,
              "key algorithm '" + std::string(name) + "' is not supported; use x25519 or p256");
}

EvpPkeyPtr generateKey(KeyType type) {
  if (type == KeyType::kX25519) return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
}

Result<KeyType> keyTypeOf(const EVP_PKEY* key) {
  int id = EVP_PKEY_get_base_id(key);
  if (id == EVP_PKEY_X25519) return KeyType::kX25519;
  if (id == EVP_PKEY_EC) {
    char group[64] = {};
    std::size_t length = 0;
    EVP_PKEY_get_group_name(key, group, sizeof group, &length);
    if (std::string_view(group) == "prime256v1" || std::string_view(group) == "P-256") {
      return KeyType::kP256;
    }
    return fail(ErrorCode::kUnsupportedKey,
                "EC key on curve " + std::string(group) + " is not supported; use P-256");
  }
  const char* name = OBJ_nid2sn(id);
  return fail(ErrorCode::kUnsupportedKey, std::string("key type ") + (name ? name : "unknown") +
                                              " is not supported; use X25519 or P-256");
}

std::string spkiDer(const EVP_PKEY* key) { return derString(i2d_PUBKEY, key); }

Result<EvpPkeyPtr> publicKeyFromSpki(std::string_view der) {
  // An X25519 SPKI is a fixed 12-byte header and the 32-byte key (RFC 8410
  // section 4). Taking it directly skips OpenSSL 3.0's slow generic decoder.
  static constexpr std::string_view kX25519Header(
      "\x30\x2a\x30\x05\x06\x03\x2b\x65\x6e\x03\x21\x00", 12);
  if (der.size() == kX25519Header.size() + 32 &&
      der.substr(0, kX25519Header.size()) == kX25519Header) {
    EvpPkeyPtr key(EVP_PKEY_new_raw_public_key(
        EVP_PKEY_X25519, nullptr,
        reinterpret_cast<const unsigned char*>(der.data()) + kX25519Header.size(), 32));
    if (key) return key;
  }
  auto key = fromDer<EvpPkeyPtr>(d2i_PUBKEY, der, "SubjectPublicKeyInfo");
  if (!key) return key;
  if (auto type = keyTypeOf(key->get()); !type) return std::unexpected(type.error());
  return key;
}

nlohmann::json publicJwk(const EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_X25519) {
    std::string raw(32, '\0');
    std::size_t length = raw.size();
    EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &length);
    raw.resize(length);
    return {{"kty", "OKP"}, {"crv", "X25519"}, {"x", base64UrlEncode(raw)}};
  }
  return {{"kty", "EC"},
          {"crv", "P-256"},
          {"x", base64UrlEncode(bignumParam(key, OSSL_PKEY_PARAM_EC_PUB_X))},
          {"y", base64UrlEncode(bignumParam(key, OSSL_PKEY_PARAM_EC_PUB_Y))}};
}

}  // namespace keydir
