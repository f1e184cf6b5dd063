#pragma once
// The PKI most tests share, made with the same code as `keydir pki`:
//
//   root -> intermediate -> carrier (SP, 0-1234 and 1-13125550000-10000)
//                              -> reseller (RFC 9060 delegate CA, 1-12025550000-1000)
//                                    -> acme (enterprise, 1-12025550100-100)
//                           -> direct (enterprise, 2-14155550123, no DelegationUsage)
//
// The SPC map puts 12025550000-12025559999 in SPC 1234, so the reseller's
// range is inside the carrier's SPC.

#include <gtest/gtest.h>

#include <vector>

#include "certs/certificate_issuer.h"
#include "certs/chain_validator.h"
#include "certs/in_memory_spc_map.h"
#include "certs/instant.h"
#include "certs/openssl_ptr.h"
#include "certs/pki_directory.h"
#include "certs/trust_store.h"
#include "tests/support/temp_dir.h"

namespace keydir::testing {

struct Identity {
  std::vector<X509Ptr> chain;  // leaf first, root excluded
  EvpPkeyPtr key;
  IssuedFiles files;
};

class TestPki {
 public:
  TestPki();

  Instant now() const { return now_; }
  const TrustStore& trust() const { return trust_; }
  const InMemorySpcMap& spcMap() const { return spc_map_; }
  const PkiDirectory& directory() const { return pki_; }
  const TempDir& dir() const { return dir_; }

  // Issues another certificate into the same directory and loads it; a name
  // already issued gets a number after it (see the returned files).
  Identity issue(const IssueRequest& request) const;
  Identity load(const std::string& name) const;

  Identity carrier, reseller, acme, direct;

 private:
  TempDir dir_;
  Instant now_;
  PkiDirectory pki_;
  TrustStore trust_;
  InMemorySpcMap spc_map_;
};

// A suite whose tests share one TestPki, made once (key generation is the
// slow part).
class SharedPkiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new TestPki(); }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }
  static inline TestPki* pki_ = nullptr;
};

// Issues `request` directly under the intermediate with the certificate
// issuer, bypassing PkiDirectory's checks; returns {leaf, intermediate}.
std::vector<X509Ptr> chainUnderIntermediate(const TestPki& pki, const CertificateRequest& request);

IssueRequest issueRequest(std::string name, CertificateKind kind, std::string issuer,
                          std::vector<std::string> scopes);

// `crl` as PEM text, the way TrustStore::fromPem takes CRLs.
std::string crlPem(const X509_CRL* crl);

}  // namespace keydir::testing
