// Storage-token issuance (docs/design.md section 14, RFC 9578 sections 4
// and 6): the issuer directory anyone may read, and TokenRequests from
// holders of a STIR certificate, each signed as a carrier signs for the
// industry interface with the action "token".

#include "certs/base64.h"
#include "certs/pem.h"
#include "cps/routes.h"

namespace keydir {

void serveIssuerDirectory(Exchange& exchange) {
  CpsService& service = cps(exchange);
  auto directory = service.tokens->issuerDirectory(service.config.base_path + "/cps/token-request",
                                                   exchange.now());
  if (!directory) return sendRefusal(exchange, directory.error());
  // Keys turn every token_key_days; an hour's caching costs a client at
  // most an hour on the old key, which is taken for a day after.
  exchange.setHeader("Cache-Control", "max-age=3600");
  exchange.sendText(200, "application/private-token-issuer-directory", directory->dump());
}

bool tokenRequestAtHand(HttpService& service, const Poco::Net::HTTPRequest& request) {
  const CpsService& cps_service = static_cast<const CpsService&>(service);
  return bearerWaitsForNothing(request.get("Authorization", ""), cps_service.bearer,
                               service.clock->now());
}

void serveTokenRequest(Exchange& exchange) {
  CpsService& service = cps(exchange);
  auto body = exchange.body();
  if (!body) return sendRefusal(exchange, body.error());
  BearerRequest request;
  request.action = "token";
  request.body_digest = base64UrlEncode(sha256(*body));
  auto verified = authorizeBearer(exchange, request);
  if (!verified) return sendAuthRefusal(exchange, verified.error());
  const std::string type = exchange.request().getContentType();
  if (type != "application/private-token-request") {
    return sendRefusal(exchange, {ErrorCode::kMalformed,
                                  "a TokenRequest is sent as application/private-token-request, "
                                  "not '" +
                                      type + "'"});
  }
  std::chrono::seconds retry_after{0};
  auto response = service.tokens->issue(*body, publicKeySha256Hex(verified->chain->leaf()),
                                        exchange.now(), &retry_after);
  if (!response) {
    service.cps_metrics->countRefusal(std::string(errorTypeName(response.error().code)));
    if (response.error().code == ErrorCode::kRateLimited) {
      exchange.setHeader("Retry-After", std::to_string(retry_after.count()));
      return exchange.sendProblem(response.error());
    }
    // RFC 9578 section 6.2: a request the issuer cannot sign is 422.
    if (response.error().code == ErrorCode::kMalformed) {
      return exchange.sendProblem(response.error(), 422);
    }
    return exchange.sendProblem(response.error());
  }
  service.cps_metrics->countTokenIssued();
  exchange.setHeader("Cache-Control", "no-store");
  exchange.sendText(200, "application/private-token-response", *response);
}

}  // namespace keydir
