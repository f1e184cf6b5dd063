#include "certs/certificate_cache.h"

#include <mutex>
#include <string>
#include <unordered_map>

#include "certs/pem.h"

namespace keydir {
namespace {

constexpr std::size_t kMaxEntries = 4096;

struct Cache {
  std::mutex mutex;
  std::unordered_map<std::string, X509Ptr> by_der;
};

Cache& cache() {
  static Cache* instance = new Cache();  // never destroyed: used until exit
  return *instance;
}

X509Ptr share(X509* certificate) {
  X509_up_ref(certificate);
  return X509Ptr(certificate);
}

}  // namespace

Result<X509Ptr> cachedCertificateFromDer(std::string_view der) {
  Cache& shared = cache();
  std::string key(der);
  {
    std::lock_guard lock(shared.mutex);
    auto found = shared.by_der.find(key);
    if (found != shared.by_der.end()) return share(found->second.get());
  }
  auto parsed = certificateFromDer(der);
  if (!parsed) return parsed;
  std::lock_guard lock(shared.mutex);
  if (shared.by_der.size() >= kMaxEntries) shared.by_der.clear();
  shared.by_der.emplace(std::move(key), share(parsed->get()));
  return parsed;
}

}  // namespace keydir
