#include "directory/server/routes.h"

namespace keydir {

void serveHealth(Exchange& exchange) {
  // Live means the store answers, not merely that the process runs; when
  // it does not, the reason (a database away is one an operator can fix).
  std::string trouble;
  try {
    if (auto ok = directory(exchange).store->ping(); !ok) trouble = ok.error().message;
  } catch (const std::exception& error) {
    trouble = error.what();
  }
  if (!trouble.empty()) {
    return exchange.sendProblem({ErrorCode::kUnavailable, "storage does not answer: " + trouble});
  }
  exchange.sendJson(200, "{\"status\":\"ok\"}");
}

}  // namespace keydir
