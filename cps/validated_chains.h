#pragma once
// Chains that passed full validation lately, by what named them (the
// JWT's x5c, or its x5u URL), so that a carrier asking for thousands of
// storage tokens, or publishing a call a second, has its chain validated
// about once a minute rather than on every request. The JWT's own
// signature is still checked every time. A chain is offered again only
// while `keep` has not passed since it was validated and every
// certificate on it is still within its validity; the trust anchors,
// CRLs and SPC map it was validated against do not change while the CPS
// runs. Bounded: when full, it starts over. Thread-safe.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "certs/chain_validator.h"
#include "certs/instant.h"

namespace keydir {

class ValidatedChains {
 public:
  explicit ValidatedChains(std::chrono::seconds keep, std::size_t max_chains = 10000)
      : keep_(keep), max_chains_(max_chains) {}

  std::shared_ptr<const ValidatedChain> find(const std::string& named_by, Instant now);
  void keep(const std::string& named_by, std::shared_ptr<const ValidatedChain> chain, Instant now);

 private:
  struct Kept {
    std::shared_ptr<const ValidatedChain> chain;
    Instant valid_from, valid_until;
  };
  std::chrono::seconds keep_;
  std::size_t max_chains_;
  std::mutex mutex_;
  std::unordered_map<std::string, Kept> kept_;
};

}  // namespace keydir
