#pragma once
// A listening HTTP or HTTPS server (TLS 1.2 or later) for an application's
// router: the directory's and the cache's alike, on one of two cores.
//
// "reactor" (the default, reactor_core.h): a few event threads serve every
// connection, workers take what may wait, and the limits below end clients
// that hold on too long. "threads": Poco's HTTPServer, a thread per
// connection, so max_threads bounds the connections served at once; kept
// to measure the reactor against.

#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>

#include <memory>
#include <string>

#include "certs/error.h"

namespace keydir {

struct HttpServerOptions {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks one
  std::string tls_cert;                   // both set: HTTPS
  std::string tls_key;
  std::string core = "reactor";  // or "threads"
  int max_threads = 512;         // threads core: connections served at once
  int max_queued = 1024;         // threads core: connections waiting for a thread
  long long keep_alive_timeout_seconds = 15;
  int max_keep_alive_requests = 10000;
  int event_threads = 0;                   // reactor core; 0: one per processor
  int worker_threads = 16;                 // reactor core: for writes and streams
  long long max_connections = 16384;       // reactor core
  long long header_timeout_seconds = 10;   // reactor core
  long long body_timeout_seconds = 10;     // reactor core
  long long send_timeout_seconds = 30;     // reactor core
  long long max_header_bytes = 16 * 1024;  // reactor core
  long long max_headers = 64;              // reactor core
};

class ReactorCore;
class Router;
class TlsServerContext;

class HttpServer {
 public:
  // Binds and listens, so that a port in use fails here, before anything
  // else starts. kUnavailable names the address and why.
  static Result<std::unique_ptr<HttpServer>> listen(const HttpServerOptions& options);
  ~HttpServer();

  // "http://HOST:PORT" or "https://...", with the port really bound.
  std::string baseUrl() const;
  int port() const;

  // Serves with `router` (taken over) until stop().
  void start(Router* router);
  // The threads core only: serves with any Poco handler factory (taken
  // over). For test servers that are not keydir's routes.
  void startPocoFactory(Poco::Net::HTTPRequestHandlerFactory* factory);
  // Stops accepting, ends open connections, and waits for their threads.
  void stop();

 private:
  HttpServer() = default;

  void startReactor(Router* router);

  HttpServerOptions options_;
  std::string host_;
  Poco::Net::ServerSocket socket_;
  std::shared_ptr<TlsServerContext> tls_;  // the reactor core's TLS
  std::unique_ptr<Poco::ThreadPool> threads_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::unique_ptr<Router> router_;  // the reactor core's
  std::unique_ptr<ReactorCore> reactor_;
  bool running_ = false;
};

}  // namespace keydir
