#include "tests/support/test_pki.h"

#include <openssl/pem.h>

#include <filesystem>
#include <stdexcept>

#include "certs/key_pair.h"
#include "certs/pem.h"

namespace keydir::testing {
namespace {

template <class T>
T orThrow(Result<T> result) {
  if (!result) throw std::runtime_error(result.error().message);
  return std::move(*result);
}

}  // namespace

IssueRequest issueRequest(std::string name, CertificateKind kind, std::string issuer,
                          std::vector<std::string> scopes) {
  IssueRequest request;
  request.name = std::move(name);
  request.kind = kind;
  request.issuer = std::move(issuer);
  request.scopes = orThrow(parseScopes(scopes));
  return request;
}

TestPki::TestPki()
    : now_(nowInstant()),
      pki_(orThrow(PkiDirectory::init(dir_ / "pki", now_))),
      trust_(orThrow(TrustStore::load(pki_.trustFile()))) {
  spc_map_.add({orThrow(TnScope::parse("1-12025550000-10000")), "1234"});
  carrier = issue(issueRequest("carrier", CertificateKind::kServiceProvider, "intermediate",
                               {"0-1234", "1-13125550000-10000"}));
  reseller = issue(
      issueRequest("reseller", CertificateKind::kDelegateCa, "carrier", {"1-12025550000-1000"}));
  acme =
      issue(issueRequest("acme", CertificateKind::kEnterprise, "reseller", {"1-12025550100-100"}));
  IssueRequest direct_request =
      issueRequest("direct", CertificateKind::kEnterprise, "intermediate", {"2-14155550123"});
  direct_request.delegation_usage = false;
  direct = issue(direct_request);
}

Identity TestPki::issue(const IssueRequest& request) const {
  // The tests of a suite share this PKI, and two of them may each want a
  // certificate of the same name; when they run in one process (the test
  // binary run by hand, not by ctest) the later one gets a numbered name.
  IssueRequest unique = request;
  for (int n = 2; std::filesystem::exists(pki_.dir() / (unique.name + ".pem")); ++n) {
    unique.name = request.name + "-" + std::to_string(n);
  }
  orThrow(pki_.issue(unique, now_, &spc_map_));
  return load(unique.name);
}

std::vector<X509Ptr> chainUnderIntermediate(const TestPki& pki, const CertificateRequest& request) {
  Identity intermediate = pki.load("intermediate");
  EvpPkeyPtr key = generateKey(KeyType::kP256);
  std::vector<X509Ptr> chain;
  chain.push_back(orThrow(
      issueCertificate(request, key.get(), intermediate.chain[0].get(), intermediate.key.get())));
  chain.push_back(std::move(intermediate.chain[0]));
  return chain;
}

std::string crlPem(const X509_CRL* crl) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_CRL(bio.get(), const_cast<X509_CRL*>(crl));
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, std::size_t(length));
}

Identity TestPki::load(const std::string& name) const {
  Identity identity;
  identity.files = {pki_.dir() / (name + ".pem"), pki_.dir() / (name + ".key"),
                    pki_.dir() / (name + ".chain.pem")};
  identity.chain = orThrow(loadCertificates(identity.files.chain));
  identity.key = orThrow(loadPrivateKey(identity.files.key));
  return identity;
}

}  // namespace keydir::testing
