// The three ways to fetch entries: by number, by id, by prefix. Answers
// change each tick, so nothing on the way may keep them.
#include "certs/tn.h"
#include "cps/routes.h"

namespace keydir {

void serveNumberFetch(Exchange& exchange) {
  CpsService& service = cps(exchange);
  auto tn = canonicalTn(exchange.param(0));
  if (!tn) return sendRefusal(exchange, tn.error());
  auto answer = service.board->numberAnswer(*tn, exchange.now());
  if (!answer) return sendRefusal(exchange, answer.error());
  service.cps_metrics->countFetch(CpsMetrics::Fetch::kNumber);
  exchange.setHeader("Cache-Control", "no-store");
  exchange.sendJson(200, **answer);
}

void serveEntryFetch(Exchange& exchange) {
  CpsService& service = cps(exchange);
  auto tn = canonicalTn(exchange.param(0));
  if (!tn) return sendRefusal(exchange, tn.error());
  auto answer = service.board->entryAnswer(*tn, exchange.param(1), exchange.now());
  if (!answer) return sendRefusal(exchange, answer.error());
  service.cps_metrics->countFetch(CpsMetrics::Fetch::kId);
  exchange.setHeader("Cache-Control", "no-store");
  exchange.sendJson(200, *answer);
}

void servePrefixFetch(Exchange& exchange) {
  CpsService& service = cps(exchange);
  auto answer = service.board->prefixAnswer(exchange.param(0), exchange.now());
  if (!answer) return sendRefusal(exchange, answer.error());
  service.cps_metrics->countFetch(CpsMetrics::Fetch::kPrefix);
  exchange.setHeader("Cache-Control", "no-store");
  exchange.sendJson(200, *answer);
}

}  // namespace keydir
