#include "certs/jwe.h"

#include <openssl/rand.h>

#include <array>

#include "certs/base64.h"
#include "certs/json_fields.h"
#include "certs/key_pair.h"
#include "certs/openssl_error.h"

namespace keydir {
namespace {

constexpr std::string_view kAlg = "ECDH-ES";
constexpr std::string_view kEnc = "A256GCM";
constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kIvBytes = 12;
constexpr std::size_t kTagBytes = 16;

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

std::string bigEndian32(std::uint32_t value) {
  return {char(value >> 24), char(value >> 16), char(value >> 8), char(value)};
}

// RFC 7518 section 4.6.2: each of AlgorithmID, PartyUInfo and PartyVInfo is
// its length in 32 bits, then its bytes.
std::string lengthPrefixed(std::string_view data) {
  return bigEndian32(std::uint32_t(data.size())) + std::string(data);
}

struct Sealed {
  std::string ciphertext;
  std::string tag;
};

Result<Sealed> sealAesGcm(std::string_view key, std::string_view iv, std::string_view aad,
                          std::string_view plaintext) {
  CipherCtxPtr context(EVP_CIPHER_CTX_new());
  Sealed sealed;
  sealed.ciphertext.resize(plaintext.size());
  sealed.tag.resize(kTagBytes);
  int length = 0;
  auto* out = reinterpret_cast<unsigned char*>(sealed.ciphertext.data());
  if (!context ||
      EVP_EncryptInit_ex2(context.get(), EVP_aes_256_gcm(), bytes(key), bytes(iv), nullptr) != 1 ||
      EVP_EncryptUpdate(context.get(), nullptr, &length, bytes(aad), int(aad.size())) != 1 ||
      EVP_EncryptUpdate(context.get(), out, &length, bytes(plaintext), int(plaintext.size())) !=
          1 ||
      EVP_EncryptFinal_ex(context.get(), out + length, &length) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, int(kTagBytes), sealed.tag.data()) !=
          1) {
    return fail(ErrorCode::kUnavailable, drainOpensslErrors("AES-256-GCM encryption failed"));
  }
  return sealed;
}

Result<std::string> openAesGcm(std::string_view key, std::string_view iv, std::string_view aad,
                               std::string_view ciphertext, std::string_view tag) {
  CipherCtxPtr context(EVP_CIPHER_CTX_new());
  std::string plaintext(ciphertext.size(), '\0');
  int length = 0;
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  std::string tag_copy(tag);
  if (!context ||
      EVP_DecryptInit_ex2(context.get(), EVP_aes_256_gcm(), bytes(key), bytes(iv), nullptr) != 1 ||
      EVP_DecryptUpdate(context.get(), nullptr, &length, bytes(aad), int(aad.size())) != 1 ||
      EVP_DecryptUpdate(context.get(), out, &length, bytes(ciphertext), int(ciphertext.size())) !=
          1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, int(kTagBytes), tag_copy.data()) !=
          1 ||
      EVP_DecryptFinal_ex(context.get(), out + length, &length) != 1) {
    drainOpensslErrors("");
    return fail(ErrorCode::kBadSignature,
                "the JWE does not authenticate under this key: it is for another key, or it "
                "was altered");
  }
  return plaintext;
}

// A header member that must be a base64url string, decoded; empty if absent.
Result<std::string> optionalB64Member(const nlohmann::json& header, const char* name) {
  auto member = header.find(name);
  if (member == header.end()) return std::string();
  if (!member->is_string()) {
    return fail(ErrorCode::kMalformed,
                std::string("the JWE header's \"") + name + "\" is not a string");
  }
  auto decoded = base64UrlDecode(member->get<std::string>());
  if (!decoded) {
    return failWithContext(decoded.error(), std::string("the JWE header's \"") + name + "\"");
  }
  return std::string(asStringView(*decoded));
}

// A JWE's five parts as sent, each checked as base64url and measured; the
// protected header decoded. The rest is decoded only by a recipient who
// opens it: a CPS checks every JWE it stores and opens none.
struct SplitJwe {
  std::string_view protected_b64, iv_b64, ciphertext_b64, tag_b64;
  std::string header_json;
  std::size_t encrypted_key_bytes = 0, iv_bytes = 0, ciphertext_bytes = 0, tag_bytes = 0;
};

Result<SplitJwe> splitJwe(std::string_view compact) {
  std::array<std::string_view, 5> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::size_t dot = compact.find('.', start);
    if ((i < 4) == (dot == std::string_view::npos)) {
      return fail(ErrorCode::kMalformed, "a compact JWE has exactly five dot-separated parts");
    }
    parts[i] = compact.substr(start, i < 4 ? dot - start : std::string_view::npos);
    start = dot + 1;
  }
  auto header = base64UrlDecode(parts[0]);
  if (!header) return failWithContext(header.error(), "JWE header");
  SplitJwe split;
  split.protected_b64 = parts[0];
  split.iv_b64 = parts[2];
  split.ciphertext_b64 = parts[3];
  split.tag_b64 = parts[4];
  split.header_json = std::string(asStringView(*header));
  constexpr const char* kNames[] = {"header", "encrypted key", "IV", "ciphertext", "tag"};
  std::size_t* lengths[] = {nullptr, &split.encrypted_key_bytes, &split.iv_bytes,
                            &split.ciphertext_bytes, &split.tag_bytes};
  for (std::size_t i = 1; i < parts.size(); ++i) {
    auto length = base64UrlDecodedLength(parts[i]);
    if (!length) return failWithContext(length.error(), std::string("JWE ") + kNames[i]);
    *lengths[i] = *length;
  }
  return split;
}

nlohmann::json headerTree(const SplitJwe& split) {
  return nlohmann::json::parse(split.header_json, nullptr, false);
}

// What the checks need of a protected header, read without building a JSON
// tree (a CPS checks every JWE it stores, and the tree was most of the
// check): "alg", "enc" and "kid" when strings, whether "crit" or "zip"
// appear, and of "epk" whether it is an object, whether it has "d", and
// the members that decide its type. A member named twice counts as the
// last, as it would in a tree. Given to nlohmann's SAX parser, whose
// lexer is the tree's: what one refuses, the other does.
struct HeaderMembers {
  bool is_object = false;
  std::optional<std::string> alg, enc, kid;
  bool crit_or_zip = false;
  bool has_epk = false, epk_is_object = false, epk_has_d = false;
  JwkMembers epk;

  // The SAX events.
  bool null() { return value(nullptr); }
  bool boolean(bool) { return value(nullptr); }
  bool number_integer(nlohmann::json::number_integer_t) { return value(nullptr); }
  bool number_unsigned(nlohmann::json::number_unsigned_t) { return value(nullptr); }
  bool number_float(nlohmann::json::number_float_t, const std::string&) { return value(nullptr); }
  bool string(std::string& text) { return value(&text); }
  bool binary(nlohmann::json::binary_t&) { return value(nullptr); }
  bool start_object(std::size_t) {
    if (depth_ == 0) is_object = true;
    if (depth_ == 1 && member_ == "epk") {
      epk_is_object = true;
      in_epk_ = true;
    } else {
      value(nullptr);
    }
    ++depth_;
    return true;
  }
  bool end_object() {
    if (--depth_ == 1) in_epk_ = false;
    return true;
  }
  bool start_array(std::size_t) {
    value(nullptr);
    ++depth_;
    return true;
  }
  bool end_array() {
    --depth_;
    return true;
  }
  bool key(std::string& name) {
    if (depth_ == 1) {
      member_ = name;
      if (name == "crit" || name == "zip") crit_or_zip = true;
      if (name == "epk") {
        has_epk = true;
        epk_is_object = epk_has_d = false;
        epk = {};
      }
    } else if (depth_ == 2 && in_epk_) {
      epk_member_ = name;
      if (name == "d") epk_has_d = true;
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }

 private:
  // A value at the depth where it is a member of the header or of its
  // epk: `text` when a string, nullptr otherwise.
  bool value(std::string* text) {
    auto take = [text](std::optional<std::string>& member) {
      member = text ? std::optional<std::string>(std::move(*text)) : std::nullopt;
    };
    if (depth_ == 1) {
      if (member_ == "alg") take(alg);
      if (member_ == "enc") take(enc);
      if (member_ == "kid") take(kid);
    } else if (depth_ == 2 && in_epk_) {
      if (epk_member_ == "kty") take(epk.kty);
      if (epk_member_ == "crv") take(epk.crv);
      if (epk_member_ == "x") take(epk.x);
      if (epk_member_ == "y") take(epk.y);
    }
    return true;
  }
  int depth_ = 0;
  bool in_epk_ = false;
  std::string member_, epk_member_;
};

// A JWE split and held to the rules every keydir JWE follows, with the
// type of its ephemeral key.
struct CheckedJwe {
  SplitJwe split;
  HeaderMembers header;
  KeyType epk_type;
};

Result<CheckedJwe> checkJwe(std::string_view compact) {
  auto split = splitJwe(compact);
  if (!split) return std::unexpected(split.error());
  HeaderMembers header;
  if (!nlohmann::json::sax_parse(split->header_json, &header) || !header.is_object) {
    return fail(ErrorCode::kMalformed, "the JWE header is not a JSON object");
  }
  const std::string alg = header.alg.value_or(""), enc = header.enc.value_or("");
  if (alg != kAlg || enc != kEnc) {
    return fail(ErrorCode::kUnsupportedKey, "a JWE with alg \"" + alg + "\" and enc \"" + enc +
                                                "\" is not supported; keydir uses ECDH-ES with "
                                                "A256GCM");
  }
  if (header.crit_or_zip) {
    return fail(ErrorCode::kMalformed,
                "the JWE header has \"crit\" or \"zip\", which keydir "
                "does not take");
  }
  if (split->encrypted_key_bytes != 0) {
    return fail(ErrorCode::kMalformed,
                "an ECDH-ES JWE has an empty encrypted key (RFC 7518 section 4.6)");
  }
  if (split->iv_bytes != kIvBytes || split->tag_bytes != kTagBytes) {
    return fail(ErrorCode::kMalformed, "an A256GCM JWE has a 12-byte IV and a 16-byte tag");
  }
  if (!header.has_epk) return fail(ErrorCode::kMalformed, "the JWE header has no \"epk\"");
  if (header.epk_is_object && header.epk_has_d) {
    return fail(ErrorCode::kMalformed, "the JWE's epk carries a private key");
  }
  if (!header.epk_is_object) {
    return fail(ErrorCode::kMalformed, "the JWE's epk: a JWK is a JSON object");
  }
  auto epk_type = jwkKeyType(header.epk);
  if (!epk_type) return failWithContext(epk_type.error(), "the JWE's epk");
  return CheckedJwe{std::move(*split), std::move(header), *epk_type};
}

}  // namespace

std::string concatKdf(std::string_view z, std::string_view algorithm_id, std::string_view apu,
                      std::string_view apv, std::size_t key_bytes) {
  const std::string other_info = lengthPrefixed(algorithm_id) + lengthPrefixed(apu) +
                                 lengthPrefixed(apv) + bigEndian32(std::uint32_t(key_bytes * 8));
  std::string key;
  for (std::uint32_t round = 1; key.size() < key_bytes; ++round) {
    std::string input = bigEndian32(round) + std::string(z) + other_info;
    std::string digest(32, '\0');
    EVP_Digest(input.data(), input.size(), reinterpret_cast<unsigned char*>(digest.data()), nullptr,
               EVP_sha256(), nullptr);
    key += digest;
  }
  key.resize(key_bytes);
  return key;
}

Result<std::string> ecdhSecret(const EVP_PKEY* own, const EVP_PKEY* peer) {
  EvpPkeyCtxPtr context(EVP_PKEY_CTX_new(const_cast<EVP_PKEY*>(own), nullptr));
  std::size_t length = 0;
  if (!context || EVP_PKEY_derive_init(context.get()) <= 0 ||
      EVP_PKEY_derive_set_peer(context.get(), const_cast<EVP_PKEY*>(peer)) <= 0 ||
      EVP_PKEY_derive(context.get(), nullptr, &length) <= 0) {
    return fail(ErrorCode::kMalformed,
                drainOpensslErrors("no key agreement between these two keys"));
  }
  std::string secret(length, '\0');
  // OpenSSL refuses an all-zero X25519 result (a small-order peer point),
  // which RFC 7748 section 6.1 allows a party to check for.
  if (EVP_PKEY_derive(context.get(), reinterpret_cast<unsigned char*>(secret.data()), &length) <=
      0) {
    return fail(ErrorCode::kMalformed,
                drainOpensslErrors("the key agreement failed (a low-order point?)"));
  }
  secret.resize(length);
  return secret;
}

Result<std::string> encryptJwe(std::string_view plaintext, const EVP_PKEY* recipient,
                               std::string_view kid, const JweFixedRandomness* fixed) {
  auto type = keyTypeOf(recipient);
  if (!type) return std::unexpected(type.error());
  EvpPkeyPtr generated;
  const EVP_PKEY* ephemeral = fixed ? fixed->ephemeral : nullptr;
  if (!ephemeral) {
    generated = generateKey(*type);
    ephemeral = generated.get();
  }
  std::string iv = fixed ? fixed->iv : std::string(kIvBytes, '\0');
  if (!fixed && RAND_bytes(reinterpret_cast<unsigned char*>(iv.data()), int(iv.size())) != 1) {
    return fail(ErrorCode::kUnavailable, drainOpensslErrors("no random bytes for the IV"));
  }
  auto z = ecdhSecret(ephemeral, recipient);
  if (!z) return std::unexpected(z.error());
  const std::string key = concatKdf(*z, kEnc, "", "", kKeyBytes);

  // The AAD is the protected header as it is sent (RFC 7516 section 5.1 step 14).
  const std::string protected_b64 = jweProtectedHeader(ephemeral, kid);
  auto sealed = sealAesGcm(key, iv, protected_b64, plaintext);
  if (!sealed) return std::unexpected(sealed.error());
  return compactJwe(protected_b64, iv, sealed->ciphertext, sealed->tag);
}

std::string jweProtectedHeader(const EVP_PKEY* ephemeral, std::string_view kid) {
  // nlohmann::json keeps members sorted by name, which is the order above.
  const nlohmann::json header = {
      {"alg", kAlg}, {"enc", kEnc}, {"kid", kid}, {"epk", publicJwk(ephemeral)}};
  return base64UrlEncode(header.dump());
}

std::string compactJwe(std::string_view protected_b64, std::string_view iv,
                       std::string_view ciphertext, std::string_view tag) {
  std::string compact;
  compact.reserve(protected_b64.size() + (iv.size() + ciphertext.size() + tag.size()) * 4 / 3 + 8);
  compact.append(protected_b64).append("..").append(base64UrlEncode(iv)).append(".");
  compact.append(base64UrlEncode(ciphertext)).append(".").append(base64UrlEncode(tag));
  return compact;
}

Result<nlohmann::json> jweHeader(std::string_view compact) {
  auto split = splitJwe(compact);
  if (!split) return std::unexpected(split.error());
  nlohmann::json header = headerTree(*split);
  if (header.is_discarded() || !header.is_object()) {
    return fail(ErrorCode::kMalformed, "the JWE header is not a JSON object");
  }
  return header;
}

Result<JweEnvelope> jweEnvelope(std::string_view compact) {
  auto checked = checkJwe(compact);
  if (!checked) return std::unexpected(checked.error());
  return JweEnvelope{checked->header.kid.value_or(""), checked->epk_type,
                     checked->split.ciphertext_bytes};
}

Result<DecryptedJwe> decryptJwe(std::string_view compact, EVP_PKEY* recipient) {
  auto checked = checkJwe(compact);
  if (!checked) return std::unexpected(checked.error());
  const SplitJwe& split = checked->split;
  // The header passed the checks: a JSON object, read now as a tree.
  const nlohmann::json header = headerTree(split);
  // The point is checked on its curve before it meets the recipient's key.
  auto epk = keyFromJwk(header["epk"]);
  if (!epk) return failWithContext(epk.error(), "the JWE's epk");
  auto own_type = keyTypeOf(recipient);
  if (!own_type) return std::unexpected(own_type.error());
  if (*own_type != checked->epk_type) {
    return fail(ErrorCode::kUnsupportedKey,
                "the JWE is for a " + std::string(keyTypeName(checked->epk_type)) +
                    " key and this key is " + std::string(keyTypeName(*own_type)));
  }
  auto apu = optionalB64Member(header, "apu");
  if (!apu) return std::unexpected(apu.error());
  auto apv = optionalB64Member(header, "apv");
  if (!apv) return std::unexpected(apv.error());
  auto z = ecdhSecret(recipient, epk->get());
  if (!z) return std::unexpected(z.error());
  const std::string key = concatKdf(*z, kEnc, *apu, *apv, kKeyBytes);
  // Each part was checked as base64url by splitJwe.
  const Bytes iv = base64UrlDecode(split.iv_b64).value();
  const Bytes ciphertext = base64UrlDecode(split.ciphertext_b64).value();
  const Bytes tag = base64UrlDecode(split.tag_b64).value();
  auto plaintext = openAesGcm(key, asStringView(iv), split.protected_b64, asStringView(ciphertext),
                              asStringView(tag));
  if (!plaintext) return std::unexpected(plaintext.error());
  return DecryptedJwe{header, std::move(*plaintext)};
}

}  // namespace keydir
