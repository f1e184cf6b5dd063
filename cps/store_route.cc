#include "certs/tn.h"
#include "cps/routes.h"

namespace keydir {
namespace {

// 401 with the RFC 9577 challenge, so that a storer knows what to spend.
void sendTokenChallenge(Exchange& exchange, const Error& error) {
  CpsService& service = cps(exchange);
  auto challenge = service.tokens->wwwAuthenticate(exchange.now());
  if (!challenge) return sendRefusal(exchange, challenge.error());
  service.cps_metrics->countRefusal(std::string(errorTypeName(error.code)));
  exchange.setHeader("WWW-Authenticate", *challenge);
  exchange.sendProblem(error, 401);
}

// RFC 8816 section 6.1: however many tokens a flooder holds, one number
// takes at most max_stores_per_tn_per_minute stores a minute.
Result<void> admitStoreFor(Exchange& exchange, const std::string& tn) {
  CpsService& service = cps(exchange);
  const long long minute = unixTime(exchange.now()) / 60;
  const Instant minute_end{std::chrono::seconds((minute + 1) * 60)};
  auto count =
      service.store->countInWindow("stores " + tn + " " + std::to_string(minute), minute_end);
  if (!count) return std::unexpected(count.error());
  if (*count > service.config.max_stores_per_tn_per_minute) {
    exchange.setHeader("Retry-After", std::to_string((minute_end - exchange.now()).count()));
    return fail(ErrorCode::kRateLimited,
                "this number took " + std::to_string(service.config.max_stores_per_tn_per_minute) +
                    " stores this minute (max_stores_per_tn_per_minute)");
  }
  return {};
}

}  // namespace

void serveStore(Exchange& exchange) {
  CpsService& service = cps(exchange);
  if (!exchange.admitWrite()) {
    service.cps_metrics->countRefusal("rate-limited");
    return;
  }
  auto tn = canonicalTn(exchange.param(0));
  if (!tn) return sendRefusal(exchange, tn.error());
  const std::string authorization = exchange.request().get("Authorization", "");
  if (authorization.empty()) {
    return sendTokenChallenge(
        exchange, {ErrorCode::kNotAuthorized,
                   "storage token: a store spends one (Authorization: PrivateToken, RFC 9577); "
                   "get tokens with `keydir cps tokens`"});
  }
  // The entry is checked before the token is spent: a bad body costs none.
  auto body = exchange.body();
  if (!body) return sendRefusal(exchange, body.error());
  auto jwes = entryJwesFromBody(*body, exchange.request().getContentType());
  if (!jwes) return sendRefusal(exchange, jwes.error());
  auto entry = service.board->check(std::move(*jwes));
  if (!entry) return sendRefusal(exchange, entry.error());
  if (auto redeemed = service.tokens->redeem(authorization, exchange.now()); !redeemed) {
    if (redeemed.error().code == ErrorCode::kNotAuthorized) {
      return sendTokenChallenge(exchange, redeemed.error());
    }
    return sendRefusal(exchange, redeemed.error());
  }
  service.cps_metrics->countTokenRedeemed();
  // After the spend, so that a flood's tokens are gone with its stores.
  if (auto admitted = admitStoreFor(exchange, *tn); !admitted) {
    service.cps_metrics->countRefusal("rate-limited");
    return exchange.sendProblem(admitted.error());
  }
  auto stored = service.board->store(*tn, std::move(*entry), exchange.now());
  if (!stored) return sendRefusal(exchange, stored.error());
  exchange.setHeader("Location", service.config.base_path + "/cps/" + *tn + "/ppts/" + stored->id);
  exchange.setHeader("Cache-Control", "no-store");
  // An id is base64url and the instant RFC 3339: written as they are,
  // neither needs escaping (a JSON object built for two members cost 3% of
  // a store).
  exchange.sendJson(
      201, R"({"id":")" + stored->id + R"(","expires":")" + rfc3339(stored->expires) + R"("})");
}

}  // namespace keydir
