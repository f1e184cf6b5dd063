#pragma once
// Routes requests to an application's handlers by method and path pattern.
// The handler it makes catches everything once, answers what escaped as a
// problem (503, never internals), writes the access log and the metrics.
// The directory and the cache each pass their own table of routes.

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <span>
#include <string_view>

#include "directory/http/http_exchange.h"

namespace keydir {

// How a request shows in the access log. Paths can hold TNs, so by default
// runs of digits are cut (AccessLog). A route whose path and query name
// nothing private (a bucket, a feed sequence) is logged as sent once it
// answered successfully: that is what an operator needs to see.
enum class LogAs { kRedacted, kVerbatim };

// What a route's work costs, which decides where the reactor core runs it
// (reactor_core.h). A lookup answers from memory or an indexed read and
// runs on the event thread that read the request; heavy work (a write that
// waits for the disk, a long stream) runs on a worker, so that it never
// delays a lookup. A service whose lookups may wait on another server (a
// cache in buckets mode) runs its lookups on workers too.
enum class Cost { kLookup, kHeavy };

// For a heavy route, optional: true when this request's work turns out to
// be at hand (in memory, nothing to wait for), so that the event thread
// that read it serves it rather than handing it to a worker and back.
// Looks at the head alone, and must itself never wait.
using AtHand = bool (*)(HttpService& service, const Poco::Net::HTTPRequest& request);

struct Route {
  std::string_view method;
  std::string_view pattern;  // segments in braces are parameters
  void (*serve)(Exchange&);
  LogAs log_as = LogAs::kRedacted;
  Cost cost = Cost::kLookup;
  AtHand at_hand = nullptr;
};

class Router : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  // `routes` must outlive the router (a static table).
  Router(HttpService& service, std::span<const Route> routes)
      : service_(service), routes_(routes) {}

  HttpService& service() { return service_; }

  // Answers one request whatever core brought it.
  void handle(HttpTransport& transport);
  // Answers a request the core refused before it could reach a route (a
  // head that does not parse, too large, too slow) with a problem of
  // `status`, logged and counted like any other answer.
  void refuse(HttpTransport& transport, int status, const std::string& why);
  // True when the request's route may wait (Cost, the route's at_hand and
  // the service's lookups_wait): the core must not run it on an event
  // thread.
  bool mayWait(const Poco::Net::HTTPRequest& request) const;

  // For Poco's HTTPServer: a handler that hands each request to handle().
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override;

 private:
  std::string allowedMethods(const std::string& path) const;
  // The route serving `request`'s method and path, with its parameters.
  const Route* find(const Poco::Net::HTTPRequest& request, std::vector<std::string>& params,
                    bool& path_ok, bool& path_known, std::string& path) const;

  HttpService& service_;
  std::span<const Route> routes_;
};

}  // namespace keydir
