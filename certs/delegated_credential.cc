#include "certs/delegated_credential.h"

#include "certs/base64.h"
#include "certs/es256.h"
#include "certs/pem.h"

namespace keydir {
namespace {

void putUint(std::string& out, std::uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) out += char((value >> shift) & 0xFF);
}

class WireReader {
 public:
  explicit WireReader(std::string_view input) : rest_(input) {}
  Result<std::uint64_t> uint(int bytes, std::string_view field) {
    if (rest_.size() < std::size_t(bytes)) {
      return fail(ErrorCode::kMalformed,
                  "delegated credential is truncated in " + std::string(field));
    }
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value = (value << 8) | std::uint8_t(rest_[i]);
    rest_.remove_prefix(bytes);
    return value;
  }
  Result<std::string> opaque(int length_bytes, std::string_view field) {
    auto length = uint(length_bytes, field);
    if (!length) return std::unexpected(length.error());
    if (*length == 0) {
      return fail(ErrorCode::kMalformed, "delegated credential has an empty " + std::string(field));
    }
    if (rest_.size() < *length) {
      return fail(ErrorCode::kMalformed, "delegated credential is truncated in " +
                                             std::string(field) + " (" + std::to_string(*length) +
                                             " bytes claimed, " + std::to_string(rest_.size()) +
                                             " present)");
    }
    std::string value(rest_.substr(0, *length));
    rest_.remove_prefix(*length);
    return value;
  }
  bool atEnd() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

}  // namespace

std::uint16_t codePointFor(KeyType type) {
  return type == KeyType::kX25519 ? kCodePointX25519 : kCodePointP256;
}

std::string DelegatedCredential::serializeCredential() const {
  std::string out;
  putUint(out, valid_time, 4);
  putUint(out, key_algorithm, 2);
  putUint(out, spki.size(), 3);
  out += spki;
  return out;
}

std::string DelegatedCredential::serialize() const {
  std::string out = serializeCredential();
  putUint(out, signature_algorithm, 2);
  putUint(out, signature.size(), 2);
  out += signature;
  return out;
}

Result<DelegatedCredential> DelegatedCredential::parse(std::string_view bytes) {
  WireReader reader(bytes);
  DelegatedCredential credential;
  auto valid_time = reader.uint(4, "valid_time");
  if (!valid_time) return std::unexpected(valid_time.error());
  auto key_algorithm = reader.uint(2, "dc_cert_verify_algorithm");
  if (!key_algorithm) return std::unexpected(key_algorithm.error());
  auto spki = reader.opaque(3, "subjectPublicKeyInfo");
  if (!spki) return std::unexpected(spki.error());
  auto signature_algorithm = reader.uint(2, "algorithm");
  if (!signature_algorithm) return std::unexpected(signature_algorithm.error());
  auto signature = reader.opaque(2, "signature");
  if (!signature) return std::unexpected(signature.error());
  if (!reader.atEnd()) {
    return fail(ErrorCode::kMalformed, "delegated credential has bytes after its signature");
  }
  credential.valid_time = std::uint32_t(*valid_time);
  credential.key_algorithm = std::uint16_t(*key_algorithm);
  credential.spki = std::move(*spki);
  credential.signature_algorithm = std::uint16_t(*signature_algorithm);
  credential.signature = std::move(*signature);
  return credential;
}

std::string credentialSignedData(const X509* leaf, const DelegatedCredential& credential) {
  std::string data(64, ' ');
  data += kCredentialContext;
  data += '\0';
  data += certificateDer(leaf);
  data += credential.serializeCredential();
  putUint(data, credential.signature_algorithm, 2);
  return data;
}

Result<DelegatedCredential> signCredential(const X509* leaf, EVP_PKEY* leaf_key,
                                           const EVP_PKEY* encryption_key, Instant expiry) {
  auto type = keyTypeOf(encryption_key);
  if (!type) return std::unexpected(type.error());
  Instant not_before = fromAsn1Time(X509_get0_notBefore(leaf));
  auto valid_time = (expiry - not_before).count();
  if (valid_time <= 0 || valid_time > 0xFFFFFFFFll) {
    return fail(ErrorCode::kMalformed, "credential expiry " + rfc3339(expiry) +
                                           " must fall after the certificate's notBefore " +
                                           rfc3339(not_before) + " and within 136 years of it");
  }
  DelegatedCredential credential;
  credential.valid_time = std::uint32_t(valid_time);
  credential.key_algorithm = codePointFor(*type);
  credential.spki = spkiDer(encryption_key);
  auto signature = signDer(leaf_key, credentialSignedData(leaf, credential));
  if (!signature) return std::unexpected(signature.error());
  credential.signature = std::move(*signature);
  return credential;
}

std::string credentialKeyId(std::string_view serialized) {
  return base64UrlEncode(sha256(serialized));
}

}  // namespace keydir
