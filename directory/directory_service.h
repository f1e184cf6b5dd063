#pragma once
// Everything a request handler may use, built once by DirectoryServer.

#include <memory>

#include "certs/trust_store.h"
#include "directory/access_log.h"
#include "directory/advertisement_registry.h"
#include "directory/clock.h"
#include "directory/directory_config.h"
#include "directory/key_registry.h"
#include "directory/key_store.h"
#include "directory/metrics.h"
#include "directory/rate_limiter.h"

namespace keydir {

struct DirectoryService {
  DirectoryConfig config;
  const Clock* clock;
  std::unique_ptr<KeyStore> store;
  std::unique_ptr<TrustStore> trust;
  std::unique_ptr<KeyRegistry> registry;
  std::unique_ptr<AdvertisementStore> advertisement_store;  // on the key store's file
  std::unique_ptr<AdvertisementRegistry> advertisements;
  std::unique_ptr<RateLimiter> write_limiter;
  std::unique_ptr<AccessLog> access_log;
  std::unique_ptr<Metrics> metrics;
};

}  // namespace keydir
