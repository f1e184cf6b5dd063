#pragma once
// PEM and DER conversions for certificates and keys, and reading them from
// files. Errors name the file or the input and OpenSSL's reason.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "certs/base64.h"
#include "certs/error.h"
#include "certs/openssl_ptr.h"

namespace keydir {

// Every certificate in a PEM text, in order. kMalformed when none is found
// or one does not parse.
Result<std::vector<X509Ptr>> certificatesFromPem(std::string_view pem);
Result<std::vector<X509Ptr>> loadCertificates(const std::filesystem::path& file);
Result<X509Ptr> certificateFromDer(std::string_view der);
std::string certificateDer(const X509* certificate);
std::string certificatePem(const X509* certificate);
// Lowercase hex SHA-256 of the DER encoding.
std::string certificateSha256Hex(const X509* certificate);
// Lowercase hex SHA-256 of the certificate's public-key bits: who signed,
// whichever certificate carried the key.
std::string publicKeySha256Hex(const X509* certificate);

Result<EvpPkeyPtr> privateKeyFromPem(std::string_view pem);
Result<EvpPkeyPtr> loadPrivateKey(const std::filesystem::path& file);
std::string privateKeyPem(const EVP_PKEY* key);

// Whole-file helpers. writeFile replaces atomically (temporary + rename) and
// gives the file `private_file ? 0600 : 0644` permissions.
Result<std::string> readFile(const std::filesystem::path& file);
Result<void> writeFile(const std::filesystem::path& file, std::string_view content,
                       bool private_file = false);

std::string sha256(std::string_view data);

}  // namespace keydir
