#include "certs/pki_directory.h"

#include <openssl/x509v3.h>

#include <algorithm>

#include "certs/certificate_issuer.h"
#include "certs/encompassment.h"
#include "certs/key_pair.h"
#include "certs/pem.h"
#include "certs/tn_auth_list.h"

namespace keydir {
namespace {

constexpr auto kOneHour = std::chrono::hours(1);
constexpr auto kRootValidity = std::chrono::hours(24 * 3650);
constexpr auto kIntermediateValidity = std::chrono::hours(24 * 1825);

CertificateRequest stiCaRequest(std::string common_name, Instant not_before, Instant not_after) {
  CertificateRequest request;
  request.common_name = std::move(common_name);
  request.organization = "keydir test PKI";
  request.is_ca = true;
  request.not_before = not_before;
  request.not_after = not_after;
  return request;
}

bool isValidName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

Result<void> writeIssued(const std::filesystem::path& dir, const std::string& name,
                         const X509* certificate, const EVP_PKEY* key,
                         const std::string& issuer_chain_pem, IssuedFiles* files) {
  files->certificate = dir / (name + ".pem");
  files->key = dir / (name + ".key");
  files->chain = dir / (name + ".chain.pem");
  std::string pem = certificatePem(certificate);
  if (auto ok = writeFile(files->key, privateKeyPem(key), true); !ok) return ok;
  if (auto ok = writeFile(files->certificate, pem); !ok) return ok;
  return writeFile(files->chain, pem + issuer_chain_pem);
}

}  // namespace

Result<CertificateKind> parseCertificateKind(std::string_view text) {
  if (text == "sp") return CertificateKind::kServiceProvider;
  if (text == "enterprise") return CertificateKind::kEnterprise;
  if (text == "delegate-ca") return CertificateKind::kDelegateCa;
  return fail(ErrorCode::kMalformed, "certificate type '" + std::string(text) +
                                         "' is unknown; use sp, enterprise or delegate-ca");
}

Result<PkiDirectory> PkiDirectory::init(const std::filesystem::path& dir, Instant now) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return fail(ErrorCode::kUnavailable, "cannot create " + dir.string() + ": " + error.message());
  }
  if (std::filesystem::exists(dir / "root.pem")) {
    return fail(ErrorCode::kMalformed,
                dir.string() + " already holds a PKI (root.pem); choose an empty directory");
  }
  EvpPkeyPtr root_key = generateKey(KeyType::kP256);
  CertificateRequest root_request =
      stiCaRequest("keydir test STI-CA root", now - kOneHour, now + kRootValidity);
  auto root = issueCertificate(root_request, root_key.get(), nullptr, root_key.get());
  if (!root) return std::unexpected(root.error());

  EvpPkeyPtr intermediate_key = generateKey(KeyType::kP256);
  CertificateRequest intermediate_request =
      stiCaRequest("keydir test STI-CA intermediate", now - kOneHour, now + kIntermediateValidity);
  auto intermediate =
      issueCertificate(intermediate_request, intermediate_key.get(), root->get(), root_key.get());
  if (!intermediate) return std::unexpected(intermediate.error());

  IssuedFiles files;
  if (auto ok = writeIssued(dir, "root", root->get(), root_key.get(), "", &files); !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok =
          writeIssued(dir, "intermediate", intermediate->get(), intermediate_key.get(), "", &files);
      !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = writeFile(dir / "trust.pem", certificatePem(root->get())); !ok) {
    return std::unexpected(ok.error());
  }
  return PkiDirectory(dir);
}

Result<PkiDirectory> PkiDirectory::open(const std::filesystem::path& dir) {
  for (const char* file : {"root.pem", "intermediate.pem", "intermediate.key"}) {
    if (!std::filesystem::exists(dir / file)) {
      return fail(ErrorCode::kNotFound, dir.string() + " holds no " + file +
                                            "; run 'keydir pki init " + dir.string() + "' first");
    }
  }
  return PkiDirectory(dir);
}

Result<IssuedFiles> PkiDirectory::issue(const IssueRequest& request, Instant now,
                                        const SpcMap* spc_map) const {
  if (!isValidName(request.name) || request.name == "root" || request.name == "trust") {
    return fail(ErrorCode::kMalformed, "name '" + request.name +
                                           "' must be 1 to 64 letters, digits, '-' or '_', and "
                                           "not root or trust");
  }
  if (std::filesystem::exists(dir_ / (request.name + ".pem"))) {
    return fail(ErrorCode::kMalformed,
                "a certificate named '" + request.name + "' already exists in " + dir_.string());
  }
  if (request.scopes.empty()) {
    return fail(ErrorCode::kMalformed,
                "a STIR certificate needs a TNAuthList: give --spc, "
                "--range or --tn");
  }
  auto issuer_certs = loadCertificates(dir_ / (request.issuer + ".pem"));
  if (!issuer_certs) {
    return fail(ErrorCode::kNotFound, "issuer '" + request.issuer + "' is not in " + dir_.string() +
                                          " (" + issuer_certs.error().message + ")");
  }
  auto issuer_key = loadPrivateKey(dir_ / (request.issuer + ".key"));
  if (!issuer_key) return std::unexpected(issuer_key.error());
  const X509* issuer = issuer_certs->front().get();
  if (X509_check_ca(const_cast<X509*>(issuer)) == 0) {
    return fail(ErrorCode::kMalformed,
                "issuer '" + request.issuer + "' is not a CA and cannot issue certificates");
  }

  auto issuer_scopes = readTnAuthList(issuer);
  if (!issuer_scopes) return std::unexpected(issuer_scopes.error());
  if (*issuer_scopes && !request.allow_overreach) {
    if (auto inside = checkEncompassed(request.scopes, **issuer_scopes, spc_map); !inside) {
      return fail(ErrorCode::kNotAuthorized,
                  "issuer '" + request.issuer +
                      "' cannot delegate these numbers: " + inside.error().message);
    }
  }

  std::string issuer_chain;
  if (request.issuer != "intermediate") {
    auto chain = readFile(dir_ / (request.issuer + ".chain.pem"));
    if (!chain) return std::unexpected(chain.error());
    issuer_chain = *chain;
  } else {
    issuer_chain = certificatePem(issuer);
  }

  Instant not_before = request.not_before.value_or(now - kOneHour);
  bool is_ca = request.kind != CertificateKind::kEnterprise;
  CertificateRequest certificate_request =
      stiCaRequest(request.common_name.empty() ? request.name : request.common_name, not_before,
                   not_before + request.validity);
  certificate_request.tn_auth_list = request.scopes;
  certificate_request.is_ca = is_ca;
  certificate_request.ca_can_sign = is_ca;
  certificate_request.delegation_usage = request.delegation_usage;
  EvpPkeyPtr key = generateKey(KeyType::kP256);
  auto certificate = issueCertificate(certificate_request, key.get(), issuer, issuer_key->get());
  if (!certificate) return std::unexpected(certificate.error());
  IssuedFiles files;
  if (auto ok =
          writeIssued(dir_, request.name, certificate->get(), key.get(), issuer_chain, &files);
      !ok) {
    return std::unexpected(ok.error());
  }
  return files;
}

}  // namespace keydir
