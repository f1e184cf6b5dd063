#include "directory/server/routes.h"

namespace keydir {

std::span<const Route> directoryRoutes() {
  static constexpr Route kRoutes[] = {
      {"POST", "/v1/keys", servePostKeys, LogAs::kRedacted, Cost::kHeavy},
      {"GET", "/v1/keys/{id}", serveGetKey},
      {"POST", "/v1/keys/{id}/revocation", servePostRevocation, LogAs::kRedacted, Cost::kHeavy},
      {"GET", "/v1/tns/{tn}/keys", serveTnKeys},
      {"POST", "/v1/advertisements", servePostAdvertisement, LogAs::kRedacted, Cost::kHeavy},
      {"GET", "/v1/advertisements/{id}", serveGetAdvertisement},
      {"GET", "/v1/tns/{tn}/cps", serveTnCps},
      {"GET", "/v1/certs/{sha256}", serveCertificates},
      // Both count the live keys: not on an event thread.
      {"GET", "/v1/meta", serveMeta, LogAs::kRedacted, Cost::kHeavy},
      {"GET", "/v1/snapshot", serveSnapshot, LogAs::kVerbatim, Cost::kHeavy},
      {"GET", "/v1/changes", serveChanges, LogAs::kVerbatim, Cost::kHeavy},
      {"GET", "/v1/buckets/{hex}", serveBucket, LogAs::kVerbatim},
      {"GET", "/healthz", serveHealth},
      {"GET", "/metrics", serveMetrics, LogAs::kRedacted, Cost::kHeavy},
  };
  return kRoutes;
}

}  // namespace keydir
