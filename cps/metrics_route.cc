#include "cps/routes.h"

namespace keydir {

void serveCpsMetrics(Exchange& exchange) {
  CpsService& service = cps(exchange);
  service.cps_metrics->setLiveEntries(double(service.store->size()));
  // Left as last read when the store does not answer: /metrics still renders.
  if (auto spent = service.tokens->spentHeld(exchange.now())) {
    service.cps_metrics->setTokensSpentHeld(double(*spent));
  }
  exchange.sendText(200, "text/plain; version=0.0.4", service.metrics->render());
}

}  // namespace keydir
