#include "directory/http/http_server.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <malloc.h>

#include <thread>

#include "directory/http/channel.h"
#include "directory/http/http_service.h"
#include "directory/http/listening_socket.h"
#include "directory/http/reactor_core.h"
#include "directory/http/router.h"

namespace keydir {
namespace {

bool usesTls(const HttpServerOptions& options) { return !options.tls_cert.empty(); }

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::listen(const HttpServerOptions& options) {
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return fail(ErrorCode::kMalformed, "HTTPS needs both --tls-cert and --tls-key");
  }
  if (options.core != "reactor" && options.core != "threads") {
    return fail(ErrorCode::kMalformed,
                "setting http_core wants reactor or threads, not '" + options.core + "'");
  }
  const bool reactor = options.core == "reactor";
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->options_ = options;
  try {
    Poco::Net::SocketAddress address(options.listen);
    server->host_ = address.host().toString();
    Poco::Net::ServerSocket socket;
    if (reactor) {
      if (usesTls(options)) {
        auto tls = TlsServerContext::load(options.tls_cert, options.tls_key);
        if (!tls) return std::unexpected(tls.error());
        server->tls_ = std::move(*tls);
      }
    } else if (!usesTls(options)) {
      socket = ListeningSocket();
    } else {
      Poco::Net::initializeSSL();
      Poco::Net::Context::Ptr context = new Poco::Net::Context(
          Poco::Net::Context::TLS_SERVER_USE, options.tls_key, options.tls_cert, "",
          Poco::Net::Context::VERIFY_NONE, 9, false, kTls12CipherList);
      context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
      context->preferServerCiphers();
      socket = Poco::Net::SecureServerSocket(context);
    }
    // Poco's usual bind also sets SO_REUSEPORT, which let a second server
    // start on a port already served and quietly take half its connections.
    // Only SO_REUSEADDR, so that a restart can bind at once.
    socket.bind(address, true, false);
    socket.listen(1024);
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

void HttpServer::start(Router* router) {
  if (options_.core == "reactor") {
    startReactor(router);
    running_ = true;
  } else {
    startPocoFactory(router);
  }
}

void HttpServer::startReactor(Router* router) {
  router_.reset(router);
  ReactorLimits limits;
  limits.request.max_header_bytes = std::size_t(options_.max_header_bytes);
  limits.request.max_headers = std::size_t(options_.max_headers);
  limits.request.max_body_bytes = router->service().max_body_bytes;
  limits.keep_alive_timeout = std::chrono::seconds(options_.keep_alive_timeout_seconds);
  limits.header_timeout = std::chrono::seconds(options_.header_timeout_seconds);
  limits.body_timeout = std::chrono::seconds(options_.body_timeout_seconds);
  limits.send_timeout = std::chrono::seconds(options_.send_timeout_seconds);
  limits.max_requests_per_connection = std::size_t(options_.max_keep_alive_requests);
  limits.max_connections = std::size_t(options_.max_connections);
  const unsigned processors = std::max(1u, std::thread::hardware_concurrency());
  const unsigned event_threads =
      options_.event_threads > 0 ? unsigned(options_.event_threads) : processors;
  // glibc gives a thread that meets a locked arena an arena of its own, up
  // to eight per core, and each keeps what its threads freed. With sixteen
  // workers, SQLite page caches dropped on every write and answers of up to
  // a few hundred KiB, the soak's heap sat at 700-800 MiB and wandered. As
  // many arenas as event threads keep it at 460-480 MiB, for 10-18% of the
  // mix's peak rate (docs/reliability.md, "Soak").
  mallopt(M_ARENA_MAX, int(std::max(2u, event_threads)));
  reactor_ = std::make_unique<ReactorCore>(socket_, tls_, *router, router->service(), limits,
                                           event_threads, std::size_t(options_.worker_threads));
  reactor_->start();
}

void HttpServer::startPocoFactory(Poco::Net::HTTPRequestHandlerFactory* factory) {
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
  server_ = std::make_unique<Poco::Net::HTTPServer>(factory, *threads_, socket_, params);
  server_->start();
  running_ = true;
}

void HttpServer::stop() {
  if (!running_) return;
  running_ = false;
  if (reactor_) {
    reactor_->stop();
    reactor_.reset();
    return;
  }
  server_->stopAll(true);
  threads_->joinAll();
}

}  // namespace keydir
