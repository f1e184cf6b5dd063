#pragma once
// HttpTransport over Poco's HTTPServer: one request of a connection that
// has a thread to itself.

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "directory/http/http_transport.h"

namespace keydir {

class PocoServerTransport : public HttpTransport {
 public:
  PocoServerTransport(Poco::Net::HTTPServerRequest& request,
                      Poco::Net::HTTPServerResponse& response)
      : request_(request), response_(response) {}

  const Poco::Net::HTTPRequest& head() const override { return request_; }
  std::string clientHost() const override { return request_.clientAddress().host().toString(); }
  Result<std::string> body(std::size_t limit) override;
  void sendPieces(Poco::Net::HTTPResponse& response, std::span<const BodyPiece> body) override;
  std::ostream& startStream(Poco::Net::HTTPResponse& response) override;

 private:
  // Copies the status, reason and headers an Exchange set.
  void copyHead(const Poco::Net::HTTPResponse& response);

  Poco::Net::HTTPServerRequest& request_;
  Poco::Net::HTTPServerResponse& response_;
};

}  // namespace keydir
