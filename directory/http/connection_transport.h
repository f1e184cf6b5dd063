#pragma once
// One request of an HttpConnection as the router sees it: the parsed head
// and body, and answers framed into the connection's output (a head with
// Content-Length, or a chunked stream; the body left out for HEAD).

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "directory/http/http_transport.h"
#include "directory/http/request_parser.h"

namespace keydir {

class HttpConnection;
class StreamedBody;

class ConnectionTransport : public HttpTransport {
 public:
  ConnectionTransport(HttpConnection& connection, ParsedRequest& request, bool keep_alive);
  ~ConnectionTransport() override;

  const Poco::Net::HTTPRequest& head() const override { return request_.head; }
  std::string clientHost() const override;
  Result<std::string> body(std::size_t limit) override;
  void sendPieces(Poco::Net::HTTPResponse& response, std::span<const BodyPiece> body) override;
  std::ostream& startStream(Poco::Net::HTTPResponse& response) override;

  // Ends a streamed body, and the connection after this answer when it
  // is not kept alive.
  void finish();
  bool answered() const { return answered_; }

 private:
  bool http10() const;

  HttpConnection& connection_;
  ParsedRequest& request_;
  bool keep_alive_;
  bool answered_ = false;
  std::unique_ptr<StreamedBody> body_;
  std::unique_ptr<std::ostream> stream_;
};

}  // namespace keydir
