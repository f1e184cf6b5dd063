// The check every request signed by a carrier gets, whether it publishes,
// retrieves or asks for storage tokens.

#include "cps/routes.h"

namespace keydir {

Result<VerifiedBearer> authorizeBearer(Exchange& exchange, const BearerRequest& request) {
  CpsService& service = cps(exchange);
  auto verified = verifyBearer(exchange.request().get("Authorization", ""), request, service.bearer,
                               exchange.now());
  if (!verified) return std::unexpected(verified.error());
  auto fresh = service.store->spendOnce("jti " + verified->jti, verified->jti_kept_until);
  if (!fresh) return std::unexpected(fresh.error());
  if (!*fresh) {
    return fail(ErrorCode::kNotAuthorized, "jti: this JWT was used before; sign a new one");
  }
  return verified;
}

void sendAuthRefusal(Exchange& exchange, const Error& error) {
  const bool who = error.code != ErrorCode::kUnavailable && error.code != ErrorCode::kInvalidTn &&
                   error.code != ErrorCode::kRateLimited;
  if (!who) return sendRefusal(exchange, error);
  cps(exchange).cps_metrics->countRefusal(std::string(errorTypeName(error.code)));
  exchange.setHeader("WWW-Authenticate", "Bearer");
  exchange.sendProblem(error, 401);
}

}  // namespace keydir
