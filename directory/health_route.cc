#include "directory/routes.h"

namespace keydir {

void serveHealth(Exchange& exchange) {
  // Live means the store answers, not merely that the process runs.
  auto counts = exchange.service().store->counts(exchange.now());
  if (!counts) return exchange.sendProblem({ErrorCode::kUnavailable, "storage does not answer"});
  exchange.sendJson(200, "{\"status\":\"ok\"}");
}

}  // namespace keydir
