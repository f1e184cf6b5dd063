#include "cps/chain_cache.h"

#include "certs/chain_validator.h"

namespace keydir {

Result<std::vector<X509Ptr>> ChainCache::chainAt(const std::string& url, Instant now) {
  // RFC 8224 section 4.1's x5u is a URL anyone may name: only https, so
  // that what is fetched is what its owner put there.
  if (!url.starts_with("https://")) {
    return fail(ErrorCode::kMalformed, "x5u " + url.substr(0, 100) + " is not an https URL");
  }
  {
    std::lock_guard lock(mutex_);
    if (auto at = kept_.find(url); at != kept_.end() && now - at->second.fetched < keep_) {
      return copyChain(at->second.chain);
    }
  }
  auto chain = fetch_(url);
  if (!chain) return failWithContext(chain.error(), "x5u " + url.substr(0, 100));
  std::lock_guard lock(mutex_);
  if (kept_.size() >= max_urls_) kept_.clear();
  kept_[url] = Kept{copyChain(*chain), now};
  return chain;
}

}  // namespace keydir
