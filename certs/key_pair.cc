#include "certs/key_pair.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include "certs/base64.h"
#include "certs/i2d.h"
#include "certs/json_fields.h"
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

// The JWK member `name` (nullopt: absent or not a string) is base64url of
// exactly `size` bytes; how many it decodes to.
Result<std::size_t> checkJwkBytes(const std::optional<std::string>& member, const char* name,
                                  std::size_t size) {
  if (!member) return fail(ErrorCode::kMalformed, std::string("the JWK has no \"") + name + "\"");
  auto length = base64UrlDecodedLength(*member);
  if (!length) return failWithContext(length.error(), std::string("the JWK's \"") + name + "\"");
  if (*length != size) {
    return fail(ErrorCode::kMalformed, std::string("the JWK's \"") + name + "\" has " +
                                           std::to_string(*length) + " bytes, not " +
                                           std::to_string(size));
  }
  return *length;
}

std::optional<std::string> stringMember(const nlohmann::json& jwk, const char* name) {
  auto member = jwk.find(name);
  if (member == jwk.end() || !member->is_string()) return std::nullopt;
  return member->get<std::string>();
}

// The JWK member `name`, base64url, exactly `size` bytes.
Result<std::string> jwkBytes(const nlohmann::json& jwk, const char* name, std::size_t size) {
  const std::optional<std::string> member = stringMember(jwk, name);
  if (auto checked = checkJwkBytes(member, name, size); !checked) {
    return std::unexpected(checked.error());
  }
  return std::string(asStringView(base64UrlDecode(*member).value()));
}

Result<EvpPkeyPtr> x25519FromJwk(const nlohmann::json& jwk) {
  auto raw = [](const std::string& bytes) {
    return reinterpret_cast<const unsigned char*>(bytes.data());
  };
  if (jwk.contains("d")) {
    auto d = jwkBytes(jwk, "d", 32);
    if (!d) return std::unexpected(d.error());
    EvpPkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, raw(*d), 32));
    if (!key) return fail(ErrorCode::kMalformed, "the X25519 JWK's \"d\" is not a key");
    return key;
  }
  auto x = jwkBytes(jwk, "x", 32);
  if (!x) return std::unexpected(x.error());
  EvpPkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, raw(*x), 32));
  if (!key) return fail(ErrorCode::kMalformed, "the X25519 JWK's \"x\" is not a key");
  return key;
}

Result<EvpPkeyPtr> p256FromJwk(const nlohmann::json& jwk) {
  auto x = jwkBytes(jwk, "x", 32);
  if (!x) return std::unexpected(x.error());
  auto y = jwkBytes(jwk, "y", 32);
  if (!y) return std::unexpected(y.error());
  std::string point = "\x04" + *x + *y;
  std::unique_ptr<OSSL_PARAM_BLD, Free<&OSSL_PARAM_BLD_free>> build(OSSL_PARAM_BLD_new());
  BignumPtr private_value;
  OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                   point.size());
  if (jwk.contains("d")) {
    auto d = jwkBytes(jwk, "d", 32);
    if (!d) return std::unexpected(d.error());
    private_value.reset(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(d->data()), int(d->size()), nullptr));
    OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_PRIV_KEY, private_value.get());
  }
  std::unique_ptr<OSSL_PARAM, Free<&OSSL_PARAM_free>> params(OSSL_PARAM_BLD_to_param(build.get()));
  EvpPkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) <= 0 ||
      EVP_PKEY_fromdata(context.get(), &raw, private_value ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                        params.get()) <= 0) {
    return fail(ErrorCode::kMalformed,
                drainOpensslErrors("the P-256 JWK is not a point on the curve"));
  }
  EvpPkeyPtr key(raw);
  // Checked again, explicitly: an ECDH peer off the curve is the classic
  // invalid-curve attack on the recipient's static key.
  EvpPkeyCtxPtr check(EVP_PKEY_CTX_new(key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    return fail(ErrorCode::kMalformed, "the P-256 JWK is not a point on the curve");
  }
  return key;
}

}  // namespace

Result<KeyType> jwkKeyType(const nlohmann::json& jwk) {
  if (!jwk.is_object()) return fail(ErrorCode::kMalformed, "a JWK is a JSON object");
  return jwkKeyType(JwkMembers{stringMember(jwk, "kty"), stringMember(jwk, "crv"),
                               stringMember(jwk, "x"), stringMember(jwk, "y")});
}

Result<KeyType> jwkKeyType(const JwkMembers& jwk) {
  const std::string kty = jwk.kty.value_or(""), crv = jwk.crv.value_or("");
  if (kty == "OKP" && crv == "X25519") {
    auto x = checkJwkBytes(jwk.x, "x", 32);
    if (!x) return std::unexpected(x.error());
    return KeyType::kX25519;
  }
  if (kty == "EC" && crv == "P-256") {
    for (auto [member, name] : {std::pair{&jwk.x, "x"}, std::pair{&jwk.y, "y"}}) {
      auto bytes = checkJwkBytes(*member, name, 32);
      if (!bytes) return std::unexpected(bytes.error());
    }
    return KeyType::kP256;
  }
  return fail(ErrorCode::kUnsupportedKey, "a JWK of kty \"" + kty + "\" crv \"" + crv +
                                              "\" is not supported; use OKP X25519 or EC P-256");
}

Result<EvpPkeyPtr> keyFromJwk(const nlohmann::json& jwk) {
  if (!jwk.is_object()) return fail(ErrorCode::kMalformed, "a JWK is a JSON object");
  const std::string kty = textField(jwk, "kty"), crv = textField(jwk, "crv");
  if (kty == "OKP" && crv == "X25519") return x25519FromJwk(jwk);
  if (kty == "EC" && crv == "P-256") return p256FromJwk(jwk);
  return fail(ErrorCode::kUnsupportedKey, "a JWK of kty \"" + kty + "\" crv \"" + crv +
                                              "\" is not supported; use OKP X25519 or EC P-256");
}

Result<EvpPkeyPtr> keyFromSeed(KeyType type, std::string_view seed) {
  if (seed.size() != 32) return fail(ErrorCode::kMalformed, "a key seed is 32 bytes");
  const auto* bytes = reinterpret_cast<const unsigned char*>(seed.data());
  if (type == KeyType::kX25519) {
    EvpPkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, bytes, 32));
    if (!key) return fail(ErrorCode::kUnavailable, drainOpensslErrors("no X25519 key from a seed"));
    return key;
  }
  using GroupPtr = std::unique_ptr<EC_GROUP, Free<&EC_GROUP_free>>;
  using PointPtr = std::unique_ptr<EC_POINT, Free<&EC_POINT_free>>;
  using BnCtxPtr = std::unique_ptr<BN_CTX, Free<&BN_CTX_free>>;
  GroupPtr group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  BnCtxPtr bn_context(BN_CTX_new());
  BignumPtr scalar(BN_bin2bn(bytes, 32, nullptr));
  BignumPtr order_less_one(BN_dup(group ? EC_GROUP_get0_order(group.get()) : nullptr));
  PointPtr point(group ? EC_POINT_new(group.get()) : nullptr);
  std::string octets(65, '\0');
  // scalar mod (n - 1) + 1 is never 0, so the point is never at infinity.
  if (!group || !bn_context || !scalar || !order_less_one || !point ||
      !BN_sub_word(order_less_one.get(), 1) ||
      !BN_nnmod(scalar.get(), scalar.get(), order_less_one.get(), bn_context.get()) ||
      !BN_add_word(scalar.get(), 1) ||
      !EC_POINT_mul(group.get(), point.get(), scalar.get(), nullptr, nullptr, bn_context.get()) ||
      EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED,
                         reinterpret_cast<unsigned char*>(octets.data()), octets.size(),
                         bn_context.get()) != octets.size()) {
    return fail(ErrorCode::kUnavailable, drainOpensslErrors("no P-256 key from a seed"));
  }
  std::unique_ptr<OSSL_PARAM_BLD, Free<&OSSL_PARAM_BLD_free>> build(OSSL_PARAM_BLD_new());
  OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, octets.data(),
                                   octets.size());
  OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_PRIV_KEY, scalar.get());
  std::unique_ptr<OSSL_PARAM, Free<&OSSL_PARAM_free>> params(OSSL_PARAM_BLD_to_param(build.get()));
  EvpPkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) <= 0 ||
      EVP_PKEY_fromdata(context.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) <= 0) {
    return fail(ErrorCode::kUnavailable, drainOpensslErrors("no P-256 key from a seed"));
  }
  return EvpPkeyPtr(raw);
}

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
