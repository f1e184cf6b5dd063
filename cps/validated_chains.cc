#include "cps/validated_chains.h"

#include <algorithm>

namespace keydir {

std::shared_ptr<const ValidatedChain> ValidatedChains::find(const std::string& named_by,
                                                            Instant now) {
  std::lock_guard lock(mutex_);
  auto at = kept_.find(named_by);
  if (at == kept_.end() || now < at->second.valid_from || now >= at->second.valid_until) {
    return nullptr;
  }
  return at->second.chain;
}

void ValidatedChains::keep(const std::string& named_by, std::shared_ptr<const ValidatedChain> chain,
                           Instant now) {
  Kept kept{std::move(chain), now, now + keep_};
  for (const X509Ptr& certificate : kept.chain->certificates) {
    kept.valid_from =
        std::max(kept.valid_from, fromAsn1Time(X509_get0_notBefore(certificate.get())));
    kept.valid_until =
        std::min(kept.valid_until, fromAsn1Time(X509_get0_notAfter(certificate.get())));
  }
  std::lock_guard lock(mutex_);
  if (kept_.size() >= max_chains_) kept_.clear();
  kept_[named_by] = std::move(kept);
}

}  // namespace keydir
