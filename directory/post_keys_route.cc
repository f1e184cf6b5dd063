#include "directory/routes.h"

namespace keydir {

void servePostKeys(Exchange& exchange) {
  if (!exchange.admitWrite()) return;
  auto body = exchange.body();
  if (!body) return exchange.sendProblem(body.error());
  auto registration = exchange.service().registry->registerKey(*body, exchange.now());
  if (!registration) return exchange.sendProblem(registration.error());
  exchange.service().metrics->countRegistration(registration->created);
  if (registration->created) {
    exchange.setHeader("Location", exchange.service().config.effectivePublicUrl() + "/v1/keys/" +
                                       registration->id);
  }
  exchange.sendJson(registration->created ? 201 : 200, registration->record);
}

}  // namespace keydir
