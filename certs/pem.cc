#include "certs/pem.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "certs/hex.h"
#include "certs/i2d.h"
#include "certs/openssl_error.h"

namespace keydir {
namespace {

BioPtr memoryBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), int(data.size())));
}

std::string bioContents(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  return std::string(data, std::size_t(length));
}

}  // namespace

Result<std::vector<X509Ptr>> certificatesFromPem(std::string_view pem) {
  BioPtr bio = memoryBio(pem);
  std::vector<X509Ptr> certificates;
  while (X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certificates.emplace_back(certificate);
  }
  // Reaching the end of the input leaves a "no start line" error behind.
  unsigned long last = ERR_peek_last_error();
  if (ERR_GET_REASON(last) == PEM_R_NO_START_LINE) {
    ERR_clear_error();
  } else if (last != 0) {
    return fail(ErrorCode::kMalformed,
                drainOpensslErrors("certificate " + std::to_string(certificates.size() + 1) +
                                   " in the PEM does not parse"));
  }
  if (certificates.empty()) {
    return fail(ErrorCode::kMalformed, "no PEM certificate (BEGIN CERTIFICATE) found");
  }
  return certificates;
}

Result<std::vector<X509Ptr>> loadCertificates(const std::filesystem::path& file) {
  auto text = readFile(file);
  if (!text) return std::unexpected(text.error());
  auto certificates = certificatesFromPem(*text);
  if (!certificates) return failWithContext(certificates.error(), file.string());
  return certificates;
}

Result<X509Ptr> certificateFromDer(std::string_view der) {
  return fromDer<X509Ptr>(d2i_X509, der, "certificate DER");
}

std::string certificateDer(const X509* certificate) { return derString(i2d_X509, certificate); }

std::string certificatePem(const X509* certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), certificate);
  return bioContents(bio.get());
}

std::string certificateSha256Hex(const X509* certificate) {
  return hexEncode(sha256(certificateDer(certificate)));
}

std::string publicKeySha256Hex(const X509* certificate) {
  // The bits as the certificate carries them, rather than a re-encoding.
  const ASN1_BIT_STRING* bits = X509_get0_pubkey_bitstr(certificate);
  return hexEncode(sha256(std::string_view(
      reinterpret_cast<const char*>(ASN1_STRING_get0_data(bits)), ASN1_STRING_length(bits))));
}

Result<EvpPkeyPtr> privateKeyFromPem(std::string_view pem) {
  BioPtr bio = memoryBio(pem);
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key)
    return fail(ErrorCode::kMalformed, drainOpensslErrors("private key PEM does not parse"));
  return key;
}

Result<EvpPkeyPtr> loadPrivateKey(const std::filesystem::path& file) {
  auto text = readFile(file);
  if (!text) return std::unexpected(text.error());
  auto key = privateKeyFromPem(*text);
  if (!key) return failWithContext(key.error(), file.string());
  return key;
}

std::string privateKeyPem(const EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return bioContents(bio.get());
}

Result<std::string> readFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return fail(ErrorCode::kNotFound, "cannot read " + file.string() + ": " + std::strerror(errno));
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

Result<void> writeFile(const std::filesystem::path& file, std::string_view content,
                       bool private_file) {
  std::filesystem::path temporary = file;
  temporary += ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, private_file ? 0600 : 0644);
  if (fd < 0) {
    return fail(ErrorCode::kUnavailable,
                "cannot write " + file.string() + ": " + std::strerror(errno));
  }
  std::size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      return fail(ErrorCode::kUnavailable,
                  "cannot write " + file.string() + ": " + std::strerror(saved));
    }
    written += std::size_t(n);
  }
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || std::rename(temporary.c_str(), file.c_str()) != 0) {
    return fail(ErrorCode::kUnavailable,
                "cannot write " + file.string() + ": " + std::strerror(errno));
  }
  return {};
}

std::string sha256(std::string_view data) {
  // OpenSSL 3 looks the algorithm up on every one-shot SHA256() call; fetch
  // it once (fetched algorithms are safe to share between threads).
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, kSha256, nullptr);
  return std::string(reinterpret_cast<char*>(digest), length);
}

}  // namespace keydir
