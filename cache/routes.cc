#include "cache/routes.h"

#include "directory/server/routes.h"

namespace keydir {

std::span<const Route> cacheRoutes() {
  static constexpr Route kRoutes[] = {
      {"POST", "/v1/keys", serveReadOnly},
      {"POST", "/v1/keys/{id}/revocation", serveReadOnly},
      {"POST", "/v1/advertisements", serveReadOnly},
      {"GET", "/v1/tns/{tn}/keys", serveCachedTnKeys},
      {"GET", "/v1/tns/{tn}/cps", serveCachedTnCps},
      {"GET", "/v1/certs/{sha256}", serveCertificates},
      {"GET", "/v1/meta", serveCacheMeta},
      {"GET", "/healthz", serveCacheHealth},
      {"GET", "/metrics", serveCacheMetrics},
  };
  return kRoutes;
}

}  // namespace keydir
