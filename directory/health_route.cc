#include "directory/routes.h"

namespace keydir {

void serveHealth(Exchange& exchange) {
  // Live means the store answers, not merely that the process runs.
  if (!exchange.service().store->ping())
    return exchange.sendProblem({ErrorCode::kUnavailable, "storage does not answer"});
  exchange.sendJson(200, "{\"status\":\"ok\"}");
}

}  // namespace keydir
