#include "certs/trust_store.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include "certs/openssl_error.h"
#include "certs/pem.h"

namespace keydir {

Result<TrustStore> TrustStore::fromPem(std::string_view anchors_pem,
                                       const std::vector<std::string>& crl_pems) {
  auto anchors = certificatesFromPem(anchors_pem);
  if (!anchors) return failWithContext(anchors.error(), "trust anchors");
  TrustStore trust;
  trust.store_ = std::shared_ptr<X509_STORE>(X509_STORE_new(), X509_STORE_free);
  for (const auto& anchor : *anchors) X509_STORE_add_cert(trust.store_.get(), anchor.get());
  trust.anchor_count_ = anchors->size();
  for (std::size_t i = 0; i < crl_pems.size(); ++i) {
    BioPtr bio(BIO_new_mem_buf(crl_pems[i].data(), int(crl_pems[i].size())));
    std::size_t before = trust.crl_count_;
    while (X509_CRL* raw = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)) {
      X509CrlPtr crl(raw);
      X509_STORE_add_crl(trust.store_.get(), crl.get());
      ++trust.crl_count_;
    }
    ERR_clear_error();
    if (trust.crl_count_ == before) {
      return fail(ErrorCode::kMalformed,
                  "CRL input " + std::to_string(i + 1) + " holds no PEM CRL (BEGIN X509 CRL)");
    }
  }
  return trust;
}

Result<TrustStore> TrustStore::load(const std::filesystem::path& anchors_file,
                                    const std::vector<std::filesystem::path>& crl_files) {
  auto anchors = readFile(anchors_file);
  if (!anchors) return std::unexpected(anchors.error());
  std::vector<std::string> crls;
  for (const auto& file : crl_files) {
    auto crl = readFile(file);
    if (!crl) return std::unexpected(crl.error());
    crls.push_back(std::move(*crl));
  }
  auto trust = fromPem(*anchors, crls);
  if (!trust) return failWithContext(trust.error(), anchors_file.string());
  return trust;
}

}  // namespace keydir
