#include <nlohmann/json.hpp>

#include "directory/server/routes.h"

namespace keydir {

void serveTnCps(Exchange& exchange) {
  Instant now = exchange.now();
  auto found = directory(exchange).advertisements->resolve(exchange.param(0), now);
  if (!found) return exchange.sendProblem(found.error());
  auto max_age = std::chrono::seconds(directory(exchange).config.lookup_max_age_seconds);
  nlohmann::json cps = nlohmann::json::array();
  for (const auto& answer : found->cps) {
    nlohmann::json item = {{"uri", answer.entry.uri}, {"scope", answer.entry.scope.toString()}};
    if (answer.provisioned) {
      item["provisioned"] = true;
    } else {
      item["ad"] = answer.ad_id;
      item["jws"] = answer.jws;
    }
    if (answer.expires) {
      max_age = std::min(max_age,
                         std::chrono::duration_cast<std::chrono::seconds>(*answer.expires - now));
    }
    cps.push_back(std::move(item));
  }
  exchange.sendCacheableJson(nlohmann::json{{"tn", found->tn}, {"cps", cps}}.dump(), max_age);
}

}  // namespace keydir
