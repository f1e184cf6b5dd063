#pragma once
// Routes requests to the handlers of routes.h by method and path pattern.
// The handler it makes catches everything once, answers what escaped as a
// problem (503, never internals), writes the access log and the metrics.

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include "directory/directory_service.h"

namespace keydir {

class Router : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Router(DirectoryService& service) : service_(service) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override;

 private:
  DirectoryService& service_;
};

}  // namespace keydir
