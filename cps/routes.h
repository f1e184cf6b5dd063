#pragma once
// The CPS's routes (docs/design.md section 13), each under the configured
// base_path but for the health and metrics routes every keydir server has.

#include <string>
#include <vector>

#include "cps/cps_service.h"
#include "directory/http/router.h"

namespace keydir {

// The route table for `base_path`; `patterns` holds the patterns' text,
// and both must outlive the router.
std::vector<Route> cpsRoutes(const std::string& base_path, std::vector<std::string>& patterns);

void serveStore(Exchange& exchange);            // POST /cps/{tn}/ppts
void serveNumberFetch(Exchange& exchange);      // GET /cps/{tn}/ppts
void serveEntryFetch(Exchange& exchange);       // GET /cps/{tn}/ppts/{id}
void servePrefixFetch(Exchange& exchange);      // GET /cps/prefix/{digits}/ppts
void servePublishWithSpc(Exchange& exchange);   // POST /passports/{spc}/{dest}/{orig}
void servePublish(Exchange& exchange);          // POST /passports/{dest}/{orig}
void serveRetrieveWithSpc(Exchange& exchange);  // GET /passports/{spc}/{dest}/{orig}
void serveRetrieve(Exchange& exchange);         // GET /passports/{dest}/{orig}
void serveTokenRequest(Exchange& exchange);     // POST /cps/token-request
// Whether a token request's JWT needs no fetch of its chain (Route::at_hand).
bool tokenRequestAtHand(HttpService& service, const Poco::Net::HTTPRequest& request);
void serveIssuerDirectory(Exchange& exchange);  // GET /.well-known/private-token-issuer-directory
void serveCpsHealth(Exchange& exchange);        // GET /healthz, GET /health
void serveCpsMetrics(Exchange& exchange);       // GET /metrics

// Answers `error` as a problem, counted among the refusals by its type,
// with Retry-After when it is rate-limited or unavailable.
void sendRefusal(Exchange& exchange, const Error& error);

// A carrier's JWT (cps/bearer_jwt.h) checked for `request`, and its jti
// spent; what sendAuthRefusal answers when it is refused.
Result<VerifiedBearer> authorizeBearer(Exchange& exchange, const BearerRequest& request);
// 401 with `WWW-Authenticate: Bearer` for a refused JWT; other failures
// (the store away, a limit) as sendRefusal answers them.
void sendAuthRefusal(Exchange& exchange, const Error& error);

}  // namespace keydir
