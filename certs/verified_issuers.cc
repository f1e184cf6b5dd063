#include "certs/verified_issuers.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>

namespace keydir {
namespace {

// The DER of every certificate after the leaf, as presented.
std::string issuersKey(const std::vector<X509Ptr>& chain) {
  std::string key;
  for (std::size_t i = 1; i < chain.size(); ++i) {
    unsigned char* der = nullptr;
    int length = i2d_X509(chain[i].get(), &der);
    if (length <= 0) return {};
    key.append(reinterpret_cast<const char*>(der), std::size_t(length));
    OPENSSL_free(der);
  }
  return key;
}

bool hasNameConstraints(const X509* certificate) {
  return X509_get_ext_by_NID(certificate, NID_name_constraints, -1) >= 0;
}

}  // namespace

std::shared_ptr<const VerifiedIssuers::Path> VerifiedIssuers::find(
    const std::vector<X509Ptr>& chain, Instant at) const {
  if (chain.size() < 2) return nullptr;
  std::string key = issuersKey(chain);
  std::shared_ptr<const Path> path;
  {
    std::lock_guard lock(mutex_);
    auto found = paths_.find(key);
    if (found == paths_.end()) return nullptr;
    path = found->second;
  }
  if (at < path->valid_from || at >= path->valid_until) return nullptr;
  return path;
}

void VerifiedIssuers::remember(const std::vector<X509Ptr>& chain,
                               const std::vector<X509Ptr>& verified, X509_STORE* trust) {
  if (chain.size() < 2 || verified.size() < 2) return;
  for (std::size_t i = 2; i < verified.size(); ++i) {
    if (hasNameConstraints(verified[i].get())) return;
  }
  std::string key = issuersKey(chain);
  if (key.empty()) return;

  auto path = std::make_shared<Path>();
  path->valid_from = Instant::min();
  path->valid_until = Instant::max();
  for (std::size_t i = 1; i < verified.size(); ++i) {
    X509* certificate = verified[i].get();
    X509_up_ref(certificate);
    path->issuers.emplace_back(certificate);
    path->valid_from = std::max(path->valid_from, fromAsn1Time(X509_get0_notBefore(certificate)));
    path->valid_until = std::min(path->valid_until, fromAsn1Time(X509_get0_notAfter(certificate)));
  }
  path->leaf_step_store.reset(X509_STORE_new());
  if (!path->leaf_step_store ||
      X509_STORE_add_cert(path->leaf_step_store.get(), path->issuers.front().get()) != 1) {
    ERR_clear_error();
    return;
  }
  // OpenSSL sorts the store's objects lazily under this lock.
  X509_STORE_lock(trust);
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(trust);
  for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i) {
    X509_CRL* crl = X509_OBJECT_get0_X509_CRL(sk_X509_OBJECT_value(objects, i));
    if (!crl) continue;
    X509_STORE_add_crl(path->leaf_step_store.get(), crl);
    path->valid_from = std::max(path->valid_from, fromAsn1Time(X509_CRL_get0_lastUpdate(crl)));
    if (const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl)) {
      path->valid_until = std::min(path->valid_until, fromAsn1Time(next));
    }
  }
  X509_STORE_unlock(trust);

  std::lock_guard lock(mutex_);
  if (paths_.size() >= kMaxPaths) paths_.clear();
  paths_[std::move(key)] = std::move(path);
}

}  // namespace keydir
