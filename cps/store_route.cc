#include "certs/tn.h"
#include "cps/routes.h"

namespace keydir {

void serveStore(Exchange& exchange) {
  CpsService& service = cps(exchange);
  if (!exchange.admitWrite()) {
    service.cps_metrics->countRefusal("rate-limited");
    return;
  }
  auto tn = canonicalTn(exchange.param(0));
  if (!tn) return sendRefusal(exchange, tn.error());
  auto body = exchange.body();
  if (!body) return sendRefusal(exchange, body.error());
  auto jwes = entryJwesFromBody(*body, exchange.request().getContentType());
  if (!jwes) return sendRefusal(exchange, jwes.error());
  auto stored = service.board->store(*tn, std::move(*jwes), exchange.now());
  if (!stored) return sendRefusal(exchange, stored.error());
  exchange.setHeader("Location", service.config.base_path + "/cps/" + *tn + "/ppts/" + stored->id);
  exchange.setHeader("Cache-Control", "no-store");
  exchange.sendJson(
      201, nlohmann::json{{"id", stored->id}, {"expires", rfc3339(stored->expires)}}.dump());
}

}  // namespace keydir
