#include "directory/feed_format.h"
#include "directory/server/feed_query.h"
#include "directory/server/routes.h"

namespace keydir {

void serveChanges(Exchange& exchange) {
  auto wide = wideScopeAsked(exchange);
  if (!wide) return exchange.sendProblem(wide.error());
  auto since = wholeNumberParam(exchange, "since", std::nullopt);
  if (!since) return exchange.sendProblem(since.error());
  auto limit = wholeNumberParam(exchange, "limit", 1000);
  if (!limit) return exchange.sendProblem(limit.error());
  auto page = directory(exchange).feed->changes(*since, std::size_t(*limit), *wide);
  if (!page) return exchange.sendProblem(page.error());
  // A page that reaches the present changes with the next write.
  exchange.sendCacheableJson(changePageJson(*page), std::chrono::seconds(0));
}

}  // namespace keydir
