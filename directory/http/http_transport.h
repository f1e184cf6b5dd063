#pragma once
// The seam between the routes and a serving core: how one request reaches
// an Exchange and how its answer leaves. A core (today Poco's
// thread-per-connection HTTPServer, in poco_server_transport) gives the
// request's head, its body under a limit, and sends a head with a body or
// with a chunked stream. Routes, problems, logs and metrics never see the
// core.

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "certs/error.h"

namespace keydir {

// A piece of an answer's body. A lasting piece lives as long as the
// program (a static block), so a core may send it from where it is; any
// other piece is copied before sendPieces returns.
struct BodyPiece {
  std::string_view bytes;
  bool lasting = false;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;

  // Method, URI, version and headers, as parsed.
  virtual const Poco::Net::HTTPRequest& head() const = 0;
  // The client's address, without the port.
  virtual std::string clientHost() const = 0;
  // The whole body, at most `limit` bytes; kPayloadTooLarge past it, the
  // rest read and dropped (or the connection marked to close when there is
  // too much to drop).
  virtual Result<std::string> body(std::size_t limit) = 0;
  // Sends `response` (status, reason and headers set) with the pieces of
  // `body` one after another as its body, framed by Content-Length.
  virtual void sendPieces(Poco::Net::HTTPResponse& response, std::span<const BodyPiece> body) = 0;
  void send(Poco::Net::HTTPResponse& response, std::string_view body) {
    const BodyPiece whole{body};
    sendPieces(response, {&whole, 1});
  }
  // Sends `response` with chunked framing; the caller writes the body to
  // the stream and stops once it goes bad (the client went away).
  virtual std::ostream& startStream(Poco::Net::HTTPResponse& response) = 0;
};

}  // namespace keydir
