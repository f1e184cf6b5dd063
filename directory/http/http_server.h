#pragma once
// A listening HTTP or HTTPS server (TLS 1.2 or later) for an application's
// router: the directory's and the cache's alike.
//
// Poco serves one connection per thread, so max_threads bounds the number
// of open connections served at once; idle keep-alive connections are
// closed after keep_alive_timeout_seconds.

#include <Poco/Net/HTTPRequestHandlerFactory.h>
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
  int max_threads = 512;
  int max_queued = 1024;
  long long keep_alive_timeout_seconds = 15;
  int max_keep_alive_requests = 10000;
};

class HttpServer {
 public:
  // Binds and listens, so that a port in use fails here, before anything
  // else starts. kUnavailable names the address and why.
  static Result<std::unique_ptr<HttpServer>> listen(const HttpServerOptions& options);
  ~HttpServer();

  // "http://HOST:PORT" or "https://...", with the port really bound.
  std::string baseUrl() const;
  int port() const;

  // Serves with `router` (taken over) on a pool of threads until stop().
  void start(Poco::Net::HTTPRequestHandlerFactory* router);
  // Stops accepting, ends open connections, and waits for their threads.
  void stop();

 private:
  HttpServer() = default;

  HttpServerOptions options_;
  std::string host_;
  Poco::Net::ServerSocket socket_;
  std::unique_ptr<Poco::ThreadPool> threads_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  bool running_ = false;
};

}  // namespace keydir
