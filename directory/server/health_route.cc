#include "directory/server/routes.h"

namespace keydir {

void serveHealth(Exchange& exchange) {
  // Live means the store answers, not merely that the process runs; when
  // it does not, the reason (a database away is one an operator can fix).
  if (auto ok = directory(exchange).store->ping(); !ok) {
    return exchange.sendProblem(
        {ErrorCode::kUnavailable, "storage does not answer: " + ok.error().message});
  }
  exchange.sendJson(200, "{\"status\":\"ok\"}");
}

}  // namespace keydir
