#include "directory/server/routes.h"

namespace keydir {

void serveHealth(Exchange& exchange) {
  // Live means the store answers, not merely that the process runs.
  if (!directory(exchange).store->ping())
    return exchange.sendProblem({ErrorCode::kUnavailable, "storage does not answer"});
  exchange.sendJson(200, "{\"status\":\"ok\"}");
}

}  // namespace keydir
