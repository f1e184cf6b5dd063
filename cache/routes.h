#pragma once
// The cache's routes (docs/design.md section 8): the directory's read API, served
// by the directory's own route code over the cache's replica, with the
// cache's freshness headers; its own meta, health and metrics; and a
// read-only refusal for every write.

#include <span>

#include "cache/cache_service.h"
#include "directory/http/router.h"

namespace keydir {

std::span<const Route> cacheRoutes();

void serveCachedTnKeys(Exchange& exchange);  // GET /v1/tns/{tn}/keys
void serveCachedTnCps(Exchange& exchange);   // GET /v1/tns/{tn}/cps
void serveCacheMeta(Exchange& exchange);     // GET /v1/meta
void serveCacheHealth(Exchange& exchange);   // GET /healthz
void serveCacheMetrics(Exchange& exchange);  // GET /metrics
void serveReadOnly(Exchange& exchange);      // every write route

}  // namespace keydir
