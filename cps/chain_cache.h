#pragma once
// Chains named by x5u URLs, fetched over https and kept for a while, so
// that a carrier storing a call a second costs one fetch of its
// certificate, not one per call. A URL that is not https is refused
// before anything is fetched. Bounded; thread-safe.

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "certs/error.h"
#include "certs/instant.h"
#include "certs/openssl_ptr.h"

namespace keydir {

class ChainCache {
 public:
  using Fetch = std::function<Result<std::vector<X509Ptr>>(const std::string& url)>;
  ChainCache(Fetch fetch, std::chrono::seconds keep, std::size_t max_urls = 10000)
      : fetch_(std::move(fetch)), keep_(keep), max_urls_(max_urls) {}

  // The chain at `url`, leaf first. kMalformed for a URL that is not
  // https; the fetch's own error (kUnavailable, kMalformed) otherwise.
  Result<std::vector<X509Ptr>> chainAt(const std::string& url, Instant now);

 private:
  struct Kept {
    std::vector<X509Ptr> chain;
    Instant fetched;
  };
  Fetch fetch_;
  std::chrono::seconds keep_;
  std::size_t max_urls_;
  std::mutex mutex_;
  std::map<std::string, Kept> kept_;
};

}  // namespace keydir
