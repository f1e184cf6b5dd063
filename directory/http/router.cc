#include "directory/http/router.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/URI.h>

#include <chrono>
#include <exception>
#include <nlohmann/json.hpp>
#include <string_view>

#include "directory/http/poco_server_transport.h"

namespace keydir {
namespace {

std::vector<std::string> splitPath(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    segments.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

// Fills `params` and returns true when `segments` fit the pattern.
bool matches(std::string_view pattern, const std::vector<std::string>& segments,
             std::vector<std::string>& params) {
  std::vector<std::string> wanted = splitPath(pattern);
  if (wanted.size() != segments.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (!wanted[i].empty() && wanted[i].front() == '{') {
      if (segments[i].empty()) return false;
      params.push_back(segments[i]);
    } else if (wanted[i] != segments[i]) {
      return false;
    }
  }
  return true;
}

// Paths can hold TNs: echo only the first segments back.
std::string routeHint(const std::string& path) {
  return path.size() > 40 ? path.substr(0, 40) + "..." : path;
}

class RouteHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit RouteHandler(Router& router) : router_(router) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    PocoServerTransport transport(request, response);
    router_.handle(transport);
  }

 private:
  Router& router_;
};

}  // namespace

const Route* Router::find(const Poco::Net::HTTPRequest& request, std::vector<std::string>& params,
                          bool& path_ok, bool& path_known, std::string& path) const {
  path_ok = true;
  path_known = false;
  try {
    path = Poco::URI(request.getURI()).getPath();
  } catch (const std::exception&) {
    path_ok = false;
    path = request.getURI();
    return nullptr;
  }
  std::vector<std::string> segments = splitPath(path);
  const Route* found = nullptr;
  for (const Route& candidate : routes_) {
    if (!matches(candidate.pattern, segments, params)) continue;
    path_known = true;
    found = &candidate;
    if (candidate.method == request.getMethod()) return found;
  }
  // The path alone matched: `found` names it for the metrics, not to serve.
  params.clear();
  return path_known ? found : nullptr;
}

bool Router::mayWait(const Poco::Net::HTTPRequest& request) const {
  std::vector<std::string> params;
  bool path_ok = false;
  bool path_known = false;
  std::string path;
  const Route* route = find(request, params, path_ok, path_known, path);
  if (route == nullptr || route->method != request.getMethod()) return false;
  if (route->cost == Cost::kHeavy) return !route->at_hand || !route->at_hand(service_, request);
  return service_.lookups_wait;
}

void Router::handle(HttpTransport& transport) {
  const Poco::Net::HTTPRequest& request = transport.head();
  auto started = std::chrono::steady_clock::now();
  std::vector<std::string> params;
  bool path_ok = false;
  bool path_known = false;
  std::string path;
  const Route* route = find(request, params, path_ok, path_known, path);
  std::string route_name = route ? std::string(route->pattern) : "unmatched";
  if (route && route->method != request.getMethod()) route = nullptr;

  Exchange exchange(transport, service_, std::move(params));
  try {
    if (route) {
      route->serve(exchange);
    } else if (!path_ok) {
      exchange.sendProblem({ErrorCode::kMalformed, "request URI does not parse"});
    } else if (path_known) {
      exchange.setHeader("Allow", allowedMethods(path));
      // Built as JSON, not pasted: the method is whatever the client sent.
      const nlohmann::json problem = {
          {"type", "about:blank"},
          {"title", "method not allowed"},
          {"status", 405},
          {"detail", request.getMethod() + " is not served on this path"}};
      exchange.sendText(405, "application/problem+json",
                        problem.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    } else {
      exchange.sendProblem({ErrorCode::kNotFound,
                            "no such endpoint: " + request.getMethod() + " " + routeHint(path)});
    }
  } catch (const std::exception&) {
    // Broken machinery (storage gone, out of memory): say so without internals.
    if (!exchange.sent()) {
      exchange.sendProblem({ErrorCode::kUnavailable, "the server cannot answer right now"});
    }
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  service_.metrics->observeRequest(route_name, exchange.status(), seconds);
  bool verbatim = route && route->log_as == LogAs::kVerbatim && exchange.status() < 400;
  service_.access_log->write({exchange.client(), request.getMethod(),
                              verbatim ? request.getURI() : path, exchange.status(),
                              exchange.bytesSent(), seconds, verbatim});
}

void Router::refuse(HttpTransport& transport, int status, const std::string& why) {
  // The types docs/design.md section 6 names: a head too large is payload-too-large,
  // anything else wrong with the request's framing or timing is malformed.
  ErrorCode code = status == 413 || status == 431 ? ErrorCode::kPayloadTooLarge
                   : status == 503                ? ErrorCode::kUnavailable
                                                  : ErrorCode::kMalformed;
  Exchange exchange(transport, service_, {});
  exchange.sendProblem({code, why}, status);
  service_.metrics->observeRequest("refused", status, 0);
  service_.access_log->write({exchange.client(), "-", "-", status, exchange.bytesSent(), 0, false});
}

std::string Router::allowedMethods(const std::string& path) const {
  std::vector<std::string> params;
  std::string allowed;
  for (const Route& route : routes_) {
    if (matches(route.pattern, splitPath(path), params)) {
      if (!allowed.empty()) allowed += ", ";
      allowed += route.method;
    }
  }
  return allowed;
}

Poco::Net::HTTPRequestHandler* Router::createRequestHandler(const Poco::Net::HTTPServerRequest&) {
  return new RouteHandler(*this);
}

}  // namespace keydir
