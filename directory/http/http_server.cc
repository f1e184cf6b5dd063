#include "directory/http/http_server.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <malloc.h>

#include "directory/http/listening_socket.h"

namespace keydir {
namespace {

bool usesTls(const HttpServerOptions& options) { return !options.tls_cert.empty(); }

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::listen(const HttpServerOptions& options) {
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return fail(ErrorCode::kMalformed, "HTTPS needs both --tls-cert and --tls-key");
  }
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->options_ = options;
  try {
    Poco::Net::SocketAddress address(options.listen);
    server->host_ = address.host().toString();
    Poco::Net::ServerSocket socket = ListeningSocket();
    if (usesTls(options)) {
      Poco::Net::initializeSSL();
      Poco::Net::Context::Ptr context =
          new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, options.tls_key,
                                 options.tls_cert, "", Poco::Net::Context::VERIFY_NONE);
      context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
      context->preferServerCiphers();
      socket = Poco::Net::SecureServerSocket(context);
    }
    // Poco's usual bind also sets SO_REUSEPORT, which let a second server
    // start on a port already served and quietly take half its connections.
    // Only SO_REUSEADDR, so that a restart can bind at once.
    socket.bind(address, true, false);
    socket.listen(256);
    server->socket_ = socket;
  } catch (const std::exception& error) {
    return fail(ErrorCode::kUnavailable,
                "cannot listen on " + options.listen + ": " + error.what());
  }
  return server;
}

HttpServer::~HttpServer() { stop(); }

std::string HttpServer::baseUrl() const {
  return std::string(usesTls(options_) ? "https://" : "http://") + host_ + ":" +
         std::to_string(port());
}

int HttpServer::port() const { return socket_.address().port(); }

void HttpServer::start(Poco::Net::HTTPRequestHandlerFactory* router) {
  // With a thread per connection glibc gives threads their own arenas and
  // hands freed memory back to the kernel eagerly; each give-back flushes
  // every core's TLB, and under load that cost more than a lookup did.
  // Keeping up to 64 MiB free per arena avoids it. The directory and the
  // cache alike: both serve a thread per connection.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  auto params = Poco::AutoPtr<Poco::Net::HTTPServerParams>(new Poco::Net::HTTPServerParams);
  params->setMaxThreads(options_.max_threads);
  params->setMaxQueued(options_.max_queued);
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(options_.keep_alive_timeout_seconds, 0));
  params->setMaxKeepAliveRequests(options_.max_keep_alive_requests);
  params->setTimeout(Poco::Timespan(30, 0));
  // A dispatcher thread that finishes a connection just as stop() wakes the
  // idle ones waits this long before it sees the stop (Poco 1.11), and
  // stop() waits for it: 30 s made a stopping server hang now and then.
  params->setThreadIdleTime(Poco::Timespan(1, 0));
  threads_ = std::make_unique<Poco::ThreadPool>(4, options_.max_threads + 8, 30);
  server_ = std::make_unique<Poco::Net::HTTPServer>(router, *threads_, socket_, params);
  server_->start();
  running_ = true;
}

void HttpServer::stop() {
  if (!running_) return;
  running_ = false;
  server_->stopAll(true);
  threads_->joinAll();
}

}  // namespace keydir
