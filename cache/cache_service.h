#pragma once
// Everything a cache's request handler may use, built once by CacheServer.
// A cache is a directory whose stores are its verified replica: the
// directory's lookup routes serve from them unchanged, and the cache adds
// its freshness, its own state and its metrics.

#include <memory>

#include "cache/cache_metrics.h"
#include "cache/cache_status.h"
#include "cache/cache_store.h"
#include "directory/directory_service.h"
#include "directory/http/http_exchange.h"

namespace keydir {

class BucketHolder;

struct CacheService : DirectoryService {
  std::unique_ptr<CacheStore> cache_store;  // on the replica's file
  std::unique_ptr<CacheStatus> status;
  std::unique_ptr<CacheMetrics> cache_metrics;
  BucketHolder* buckets = nullptr;  // buckets mode only; owned by CacheServer
};

// The cache's parts, from an exchange its router made.
inline CacheService& cache(Exchange& exchange) {
  return static_cast<CacheService&>(exchange.service());
}

}  // namespace keydir
