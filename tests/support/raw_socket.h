#pragma once
// Talking HTTP to a server byte by byte, for the tests of how it treats a
// connection: what a client sends exactly, and everything it gets back.

#include <Poco/Net/StreamSocket.h>

#include <string>

namespace keydir::testing {

// A connection to 127.0.0.1:port. The receive timeout is generous: the
// server, not it, is expected to end each wait.
Poco::Net::StreamSocket connectTo(int port, int receive_timeout_seconds = 20);
void sendText(Poco::Net::StreamSocket& socket, const std::string& text);
// Everything the server sends until it closes the connection (or the
// receive timeout passes, which a test then sees as a missing close).
std::string readUntilClosed(Poco::Net::StreamSocket& socket);
// One answer framed by Content-Length: head and body.
std::string readAnswer(Poco::Net::StreamSocket& socket);
std::size_t countOf(const std::string& text, const std::string& what);

}  // namespace keydir::testing
