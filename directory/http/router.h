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

struct Route {
  std::string_view method;
  std::string_view pattern;  // segments in braces are parameters
  void (*serve)(Exchange&);
  LogAs log_as = LogAs::kRedacted;
};

class Router : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  // `routes` must outlive the router (a static table).
  Router(HttpService& service, std::span<const Route> routes)
      : service_(service), routes_(routes) {}

  // Answers one request whatever core brought it.
  void handle(HttpTransport& transport);

  // For Poco's HTTPServer: a handler that hands each request to handle().
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override;

 private:
  std::string allowedMethods(const std::string& path) const;

  HttpService& service_;
  std::span<const Route> routes_;
};

}  // namespace keydir
