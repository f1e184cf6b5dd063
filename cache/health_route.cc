#include <nlohmann/json.hpp>

#include "cache/routes.h"

namespace keydir {

void serveCacheHealth(Exchange& exchange) {
  CacheService& service = cache(exchange);
  if (!service.store->ping()) {
    return exchange.sendProblem({ErrorCode::kUnavailable, "storage does not answer"});
  }
  if (service.status->empty()) {
    return exchange.sendProblem(
        {ErrorCode::kUnavailable, "the first copy of the directory is not finished"});
  }
  const Instant now = exchange.now();
  if (!service.status->stale(now)) return exchange.sendJson(200, "{\"status\":\"ok\"}");
  // Still in rotation: it answers from what it holds, and says why it is stale.
  std::string why = "no poll of the directory has succeeded for " +
                    std::to_string(service.status->ageSeconds(now)) + " s";
  if (auto failure = service.status->lastFailure(); !failure.empty()) why += ": " + failure;
  exchange.sendJson(200, nlohmann::json{{"status", "degraded"}, {"reason", why}}.dump());
}

}  // namespace keydir
