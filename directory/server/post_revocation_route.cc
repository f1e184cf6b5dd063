#include "directory/server/routes.h"

namespace keydir {

void servePostRevocation(Exchange& exchange) {
  if (!exchange.admitWrite()) return;
  auto body = exchange.body();
  if (!body) return exchange.sendProblem(body.error());
  std::string_view jws = *body;
  while (!jws.empty() && (jws.back() == '\n' || jws.back() == '\r' || jws.back() == ' ')) {
    jws.remove_suffix(1);
  }
  auto revoked = directory(exchange).registry->revoke(exchange.param(0), jws, exchange.now());
  if (!revoked) return exchange.sendProblem(revoked.error());
  directory(exchange).metrics->countRevocation();
  exchange.sendJson(200, "{\"id\":\"" + revoked->id + "\",\"status\":\"revoked\",\"revoked\":\"" +
                             rfc3339(*revoked->revoked) + "\"}");
}

}  // namespace keydir
