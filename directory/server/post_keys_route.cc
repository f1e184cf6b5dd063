#include "directory/server/routes.h"

namespace keydir {

void servePostKeys(Exchange& exchange) {
  if (!exchange.admitWrite()) return;
  auto body = exchange.body();
  if (!body) return exchange.sendProblem(body.error());
  auto registration = directory(exchange).registry->registerKey(*body, exchange.now());
  if (!registration) return exchange.sendProblem(registration.error());
  directory(exchange).metrics->countRegistration(registration->created);
  if (registration->created) {
    exchange.setHeader("Location", directory(exchange).config.effectivePublicUrl() + "/v1/keys/" +
                                       registration->id);
  }
  exchange.sendJson(registration->created ? 201 : 200, registration->record);
}

}  // namespace keydir
