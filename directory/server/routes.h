#pragma once
// The directory's routes (docs/design.md section 6), one file each. A route reads
// the exchange, calls the libraries, and answers; errors it returns as
// values reach Exchange::sendProblem.

#include <span>

#include "directory/directory_service.h"
#include "directory/http/router.h"

namespace keydir {

// Every route of the directory, for its Router.
std::span<const Route> directoryRoutes();

// The directory's parts, from an exchange its router made.
inline DirectoryService& directory(Exchange& exchange) {
  return static_cast<DirectoryService&>(exchange.service());
}

void servePostKeys(Exchange& exchange);           // POST /v1/keys
void serveGetKey(Exchange& exchange);             // GET /v1/keys/{id}
void servePostRevocation(Exchange& exchange);     // POST /v1/keys/{id}/revocation
void serveTnKeys(Exchange& exchange);             // GET /v1/tns/{tn}/keys
void servePostAdvertisement(Exchange& exchange);  // POST /v1/advertisements
void serveGetAdvertisement(Exchange& exchange);   // GET /v1/advertisements/{id}
void serveTnCps(Exchange& exchange);              // GET /v1/tns/{tn}/cps
void serveCertificates(Exchange& exchange);       // GET /v1/certs/{sha256hex}
void serveMeta(Exchange& exchange);               // GET /v1/meta
void serveSnapshot(Exchange& exchange);           // GET /v1/snapshot
void serveChanges(Exchange& exchange);            // GET /v1/changes
void serveBucket(Exchange& exchange);             // GET /v1/buckets/{hex}
void serveHealth(Exchange& exchange);             // GET /healthz
void serveMetrics(Exchange& exchange);            // GET /metrics

}  // namespace keydir
