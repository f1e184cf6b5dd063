#include "cps/routes.h"

namespace keydir {

void serveCpsHealth(Exchange& exchange) {
  if (!cps(exchange).store->ping()) {
    return exchange.sendProblem({ErrorCode::kUnavailable, "the CPS's store does not answer"});
  }
  exchange.sendJson(200, "{\"status\":\"ok\"}");
}

}  // namespace keydir
