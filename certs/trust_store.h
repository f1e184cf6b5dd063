#pragma once
// The operator's STI-CA roots and optional CRLs. Nothing is trusted by
// default. A TrustStore is immutable after loading and safe to share between
// threads: each validation makes its own X509_STORE_CTX.

#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "certs/error.h"
#include "certs/openssl_ptr.h"
#include "certs/verified_issuers.h"

namespace keydir {

class TrustStore {
 public:
  // Anchors from a PEM bundle (at least one certificate) and CRLs from PEM
  // texts. kMalformed names the input that does not parse.
  static Result<TrustStore> fromPem(std::string_view anchors_pem,
                                    const std::vector<std::string>& crl_pems = {});
  static Result<TrustStore> load(const std::filesystem::path& anchors_file,
                                 const std::vector<std::filesystem::path>& crl_files = {});

  X509_STORE* store() const { return store_.get(); }
  bool hasCrls() const { return crl_count_ > 0; }
  std::size_t anchorCount() const { return anchor_count_; }
  // Shared by copies: the store's anchors and CRLs never change after load.
  VerifiedIssuers& verifiedIssuers() const { return *verified_issuers_; }

 private:
  std::shared_ptr<X509_STORE> store_;
  std::shared_ptr<VerifiedIssuers> verified_issuers_ = std::make_shared<VerifiedIssuers>();
  std::size_t anchor_count_ = 0;
  std::size_t crl_count_ = 0;
};

}  // namespace keydir
