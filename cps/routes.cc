#include "cps/routes.h"

namespace keydir {

std::vector<Route> cpsRoutes(const std::string& base_path, std::vector<std::string>& patterns) {
  struct Under {
    const char* method;
    const char* path;
    void (*serve)(Exchange&);
    bool under_base;
    Cost cost;
    AtHand at_hand = nullptr;
  };
  // A prefix answer can hold hundreds of numbers' windows, and the industry
  // interface may fetch an x5u: a worker serves them. A token request
  // whose chain needs no fetch is served where it was read: handing an
  // RSA signature to a worker and back cost a sixth of issuing it.
  static constexpr Under kRoutes[] = {
      {"POST", "/cps/{tn}/ppts", serveStore, true, Cost::kLookup},
      {"GET", "/cps/{tn}/ppts", serveNumberFetch, true, Cost::kLookup},
      {"GET", "/cps/{tn}/ppts/{id}", serveEntryFetch, true, Cost::kLookup},
      {"GET", "/cps/prefix/{digits}/ppts", servePrefixFetch, true, Cost::kHeavy},
      {"POST", "/passports/{spc}/{dest}/{orig}", servePublishWithSpc, true, Cost::kHeavy},
      {"POST", "/passports/{dest}/{orig}", servePublish, true, Cost::kHeavy},
      {"GET", "/passports/{spc}/{dest}/{orig}", serveRetrieveWithSpc, true, Cost::kHeavy},
      {"GET", "/passports/{dest}/{orig}", serveRetrieve, true, Cost::kHeavy},
      {"POST", "/cps/token-request", serveTokenRequest, true, Cost::kHeavy, tokenRequestAtHand},
      {"GET", "/.well-known/private-token-issuer-directory", serveIssuerDirectory, false,
       Cost::kLookup},
      {"GET", "/healthz", serveCpsHealth, false, Cost::kLookup},
      {"GET", "/health", serveCpsHealth, false, Cost::kLookup},
      {"GET", "/metrics", serveCpsMetrics, false, Cost::kLookup},
  };
  patterns.clear();
  patterns.reserve(std::size(kRoutes));
  std::vector<Route> routes;
  for (const Under& route : kRoutes) {
    patterns.push_back((route.under_base ? base_path : "") + route.path);
    routes.push_back(
        {route.method, patterns.back(), route.serve, LogAs::kRedacted, route.cost, route.at_hand});
  }
  return routes;
}

void sendRefusal(Exchange& exchange, const Error& error) {
  CpsService& service = cps(exchange);
  service.cps_metrics->countRefusal(std::string(errorTypeName(error.code)));
  // Unavailable gets its Retry-After from sendProblem, as every server's.
  if (error.code == ErrorCode::kRateLimited) {
    exchange.setHeader("Retry-After", std::to_string(service.config.tick_seconds));
  }
  exchange.sendProblem(error);
}

}  // namespace keydir
