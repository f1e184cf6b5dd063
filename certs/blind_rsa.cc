#include "certs/blind_rsa.h"

#include <openssl/core_names.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "certs/openssl_error.h"

namespace keydir {
namespace {

using BnCtxPtr = std::unique_ptr<BN_CTX, Free<&BN_CTX_free>>;

constexpr std::size_t kHashBytes = 48;  // SHA-384
constexpr std::size_t kSaltBytes = 48;

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

BignumPtr toBignum(std::string_view big_endian) {
  return BignumPtr(BN_bin2bn(bytes(big_endian), int(big_endian.size()), nullptr));
}

std::string toBytes(const BIGNUM* number, std::size_t length) {
  std::string out(length, '\0');
  BN_bn2binpad(number, reinterpret_cast<unsigned char*>(out.data()), int(length));
  return out;
}

std::string sha384(std::string_view data) {
  // Fetched once: EVP_sha384() is looked up among the providers on every use.
  using EvpMdPtr = std::unique_ptr<EVP_MD, Free<&EVP_MD_free>>;
  static const EvpMdPtr kSha384(EVP_MD_fetch(nullptr, "SHA384", nullptr));
  std::string digest(kHashBytes, '\0');
  EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(digest.data()), nullptr,
             kSha384 ? kSha384.get() : EVP_sha384(), nullptr);
  return digest;
}

// RFC 8017 appendix B.2.1, with SHA-384.
std::string mgf1(std::string_view seed, std::size_t length) {
  std::string mask;
  for (std::uint32_t counter = 0; mask.size() < length; ++counter) {
    const char c[4] = {char(counter >> 24), char(counter >> 16), char(counter >> 8), char(counter)};
    mask += sha384(std::string(seed) + std::string(c, 4));
  }
  mask.resize(length);
  return mask;
}

// RFC 8017 section 9.1.1 EMSA-PSS-ENCODE with SHA-384 and a 48-byte salt.
Result<std::string> emsaPssEncode(std::string_view msg, std::size_t em_bits,
                                  std::string_view salt) {
  const std::size_t em_length = (em_bits + 7) / 8;
  if (em_length < kHashBytes + kSaltBytes + 2) {
    return fail(ErrorCode::kUnsupportedKey, "the RSA key is too small for PSS with SHA-384");
  }
  const std::string h = sha384(std::string(8, '\0') + sha384(msg) + std::string(salt));
  std::string db(em_length - kSaltBytes - kHashBytes - 2, '\0');
  db += '\x01';
  db += salt;
  const std::string mask = mgf1(h, em_length - kHashBytes - 1);
  for (std::size_t i = 0; i < db.size(); ++i) db[i] = char(db[i] ^ mask[i]);
  db[0] = char(static_cast<unsigned char>(db[0]) & (0xFF >> (8 * em_length - em_bits)));
  return db + h + '\xbc';
}

struct PublicParts {
  BignumPtr n, e;
  std::size_t modulus_bytes = 0;
};

Result<PublicParts> publicParts(const EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
    return fail(ErrorCode::kUnsupportedKey, "a blind signature needs an RSA key");
  }
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n);
  EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e);
  PublicParts parts{BignumPtr(n), BignumPtr(e), 0};
  if (!parts.n || !parts.e) {
    return fail(ErrorCode::kUnsupportedKey, drainOpensslErrors("the RSA key has no n or e"));
  }
  parts.modulus_bytes = std::size_t(BN_num_bytes(parts.n.get()));
  return parts;
}

}  // namespace

Result<Blinded> blindMessage(const EVP_PKEY* public_key, std::string_view msg,
                             const BlindRandomness* fixed) {
  auto key = publicParts(public_key);
  if (!key) return std::unexpected(key.error());
  std::string salt = fixed ? fixed->salt : std::string(kSaltBytes, '\0');
  if (!fixed && RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), int(salt.size())) != 1) {
    return fail(ErrorCode::kUnavailable, drainOpensslErrors("no random salt"));
  }
  auto encoded = emsaPssEncode(msg, std::size_t(BN_num_bits(key->n.get())) - 1, salt);
  if (!encoded) return std::unexpected(encoded.error());
  BnCtxPtr context(BN_CTX_new());
  BignumPtr m = toBignum(*encoded), inv(BN_new()), r(BN_new()), gcd(BN_new());
  BN_gcd(gcd.get(), m.get(), key->n.get(), context.get());
  if (!BN_is_one(gcd.get())) {
    return fail(ErrorCode::kMalformed, "the message's encoding is not invertible modulo n");
  }
  if (fixed && !fixed->inv.empty()) {
    inv = toBignum(fixed->inv);
    if (!BN_mod_inverse(r.get(), inv.get(), key->n.get(), context.get())) {
      return fail(ErrorCode::kMalformed, "the given inverse has no inverse modulo n");
    }
  } else if (fixed) {
    r = toBignum(fixed->r);
    if (!BN_mod_inverse(inv.get(), r.get(), key->n.get(), context.get())) {
      return fail(ErrorCode::kMalformed, "the given blinding factor has no inverse modulo n");
    }
  } else {
    // r uniform in [1, n) and invertible; its inverse is what finalize needs.
    do {
      if (!BN_priv_rand_range(r.get(), key->n.get())) {
        return fail(ErrorCode::kUnavailable, drainOpensslErrors("no random blinding factor"));
      }
    } while (BN_is_zero(r.get()) ||
             !BN_mod_inverse(inv.get(), r.get(), key->n.get(), context.get()));
  }
  BignumPtr x(BN_new()), z(BN_new());
  if (!BN_mod_exp(x.get(), r.get(), key->e.get(), key->n.get(), context.get()) ||
      !BN_mod_mul(z.get(), m.get(), x.get(), key->n.get(), context.get())) {
    return fail(ErrorCode::kUnavailable, drainOpensslErrors("blinding failed"));
  }
  return Blinded{toBytes(z.get(), key->modulus_bytes), toBytes(inv.get(), key->modulus_bytes)};
}

struct BlindRsaSigner::Prepared {
  EvpPkeyCtxPtr context;  // decrypt-initialised, without padding
  PublicParts key;
  std::unique_ptr<BN_MONT_CTX, Free<&BN_MONT_CTX_free>> montgomery;  // of n
};

Result<BlindRsaSigner> BlindRsaSigner::forKey(const EVP_PKEY* private_key) {
  auto key = publicParts(private_key);
  if (!key) return std::unexpected(key.error());
  BIGNUM* d = nullptr;
  EVP_PKEY_get_bn_param(private_key, OSSL_PKEY_PARAM_RSA_D, &d);
  if (!BignumPtr(d)) {
    drainOpensslErrors("");
    return fail(ErrorCode::kUnsupportedKey, "a blind signature needs the RSA key's private half");
  }
  auto prepared = std::make_shared<Prepared>();
  prepared->key = std::move(*key);
  // The raw private operation (RSASP1): OpenSSL's RSA without padding, with
  // its own blinding against timing.
  prepared->context.reset(EVP_PKEY_CTX_new(const_cast<EVP_PKEY*>(private_key), nullptr));
  BnCtxPtr bn_context(BN_CTX_new());
  prepared->montgomery.reset(BN_MONT_CTX_new());
  if (!prepared->context || EVP_PKEY_decrypt_init(prepared->context.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(prepared->context.get(), RSA_NO_PADDING) <= 0 || !bn_context ||
      !prepared->montgomery ||
      !BN_MONT_CTX_set(prepared->montgomery.get(), prepared->key.n.get(), bn_context.get())) {
    return fail(ErrorCode::kUnsupportedKey,
                drainOpensslErrors("no raw RSA private operation with this key"));
  }
  return BlindRsaSigner(std::move(prepared));
}

Result<std::string> BlindRsaSigner::sign(std::string_view blinded_msg) const {
  const PublicParts& key = prepared_->key;
  BignumPtr m = toBignum(blinded_msg);
  if (blinded_msg.size() != key.modulus_bytes || BN_cmp(m.get(), key.n.get()) >= 0) {
    return fail(ErrorCode::kMalformed, "a blinded message is " + std::to_string(key.modulus_bytes) +
                                           " bytes and below the key's modulus");
  }
  EvpPkeyCtxPtr context(EVP_PKEY_CTX_dup(prepared_->context.get()));
  std::string signature(key.modulus_bytes, '\0');
  std::size_t length = signature.size();
  if (!context ||
      EVP_PKEY_decrypt(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                       bytes(blinded_msg), blinded_msg.size()) <= 0) {
    return fail(ErrorCode::kUnavailable, drainOpensslErrors("the RSA private operation failed"));
  }
  signature.resize(length);
  signature.insert(0, key.modulus_bytes - length, '\0');
  // RFC 9474 section 4.3: a fault in the private operation could leak the
  // key through what goes out, so the result is checked first.
  BnCtxPtr bn_context(BN_CTX_new());
  BignumPtr s = toBignum(signature), back(BN_new());
  if (!bn_context || !s || !back ||
      !BN_mod_exp_mont(back.get(), s.get(), key.e.get(), key.n.get(), bn_context.get(),
                       prepared_->montgomery.get()) ||
      BN_cmp(back.get(), m.get()) != 0) {
    return fail(ErrorCode::kUnavailable, "the blind signature does not check against the key");
  }
  return signature;
}

Result<std::string> blindSign(const EVP_PKEY* private_key, std::string_view blinded_msg) {
  auto signer = BlindRsaSigner::forKey(private_key);
  if (!signer) return std::unexpected(signer.error());
  return signer->sign(blinded_msg);
}

Result<BlindRsaVerifier> BlindRsaVerifier::forKey(const EVP_PKEY* public_key) {
  EvpPkeyCtxPtr prepared(
      EVP_PKEY_CTX_new_from_pkey(nullptr, const_cast<EVP_PKEY*>(public_key), nullptr));
  if (!prepared || EVP_PKEY_verify_init(prepared.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(prepared.get(), RSA_PKCS1_PSS_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_signature_md(prepared.get(), EVP_sha384()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(prepared.get(), EVP_sha384()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(prepared.get(), int(kSaltBytes)) <= 0) {
    return fail(ErrorCode::kUnsupportedKey, drainOpensslErrors("no RSASSA-PSS with this key"));
  }
  return BlindRsaVerifier(std::move(prepared));
}

Result<void> BlindRsaVerifier::verify(std::string_view msg, std::string_view signature) const {
  EvpPkeyCtxPtr context(EVP_PKEY_CTX_dup(prepared_.get()));
  if (!context) return fail(ErrorCode::kUnavailable, drainOpensslErrors("out of memory"));
  const std::string digest = sha384(msg);
  if (EVP_PKEY_verify(context.get(), bytes(signature), signature.size(), bytes(digest),
                      digest.size()) != 1) {
    drainOpensslErrors("");
    return fail(ErrorCode::kBadSignature,
                "the signature does not verify (RSASSA-PSS, SHA-384) with this key");
  }
  return {};
}

Result<void> verifyBlindRsaSignature(const EVP_PKEY* public_key, std::string_view msg,
                                     std::string_view signature) {
  auto verifier = BlindRsaVerifier::forKey(public_key);
  if (!verifier) return std::unexpected(verifier.error());
  return verifier->verify(msg, signature);
}

Result<std::string> finalizeSignature(const EVP_PKEY* public_key, std::string_view msg,
                                      std::string_view blind_sig, std::string_view inv) {
  auto key = publicParts(public_key);
  if (!key) return std::unexpected(key.error());
  if (blind_sig.size() != key->modulus_bytes) {
    return fail(ErrorCode::kMalformed,
                "a blind signature is " + std::to_string(key->modulus_bytes) + " bytes");
  }
  BnCtxPtr context(BN_CTX_new());
  BignumPtr z = toBignum(blind_sig), r_inv = toBignum(inv), s(BN_new());
  if (!BN_mod_mul(s.get(), z.get(), r_inv.get(), key->n.get(), context.get())) {
    return fail(ErrorCode::kUnavailable, drainOpensslErrors("unblinding failed"));
  }
  std::string signature = toBytes(s.get(), key->modulus_bytes);
  if (auto ok = verifyBlindRsaSignature(public_key, msg, signature); !ok) {
    return std::unexpected(ok.error());
  }
  return signature;
}

}  // namespace keydir
