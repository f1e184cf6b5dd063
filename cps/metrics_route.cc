#include "cps/routes.h"

namespace keydir {

void serveCpsMetrics(Exchange& exchange) {
  CpsService& service = cps(exchange);
  service.cps_metrics->setLiveEntries(double(service.store->size()));
  exchange.sendText(200, "text/plain; version=0.0.4", service.metrics->render());
}

}  // namespace keydir
