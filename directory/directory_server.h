#pragma once
// The directory as a running server: opens the store and the trust anchors
// from the configuration, imports the SPC map if one is given, and serves
// HTTP or HTTPS (TLS 1.2 or later) with Poco until stopped.
//
// Poco serves one connection per thread, so max_threads bounds the number
// of open connections served at once; idle keep-alive connections are
// closed after keep_alive_timeout_seconds.

#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>

#include <memory>

#include "directory/connection_pool.h"
#include "directory/directory_service.h"

namespace keydir {

class DirectoryServer {
 public:
  // `clock` must outlive the server; null means the system clock.
  static Result<std::unique_ptr<DirectoryServer>> create(const DirectoryConfig& config,
                                                         const Clock* clock = nullptr);
  ~DirectoryServer();

  void start();
  void stop();
  // The bound port: useful with "127.0.0.1:0".
  int port() const;
  DirectoryService& service() { return *service_; }

 private:
  DirectoryServer() = default;

  SystemClock system_clock_;
  std::unique_ptr<DirectoryService> service_;
  std::unique_ptr<Poco::ThreadPool> threads_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  bool running_ = false;
};

// The key rules a configuration asks for.
KeyPolicy keyPolicyFromConfig(const DirectoryConfig& config);
// The SQLite connections `keydir serve` and `keydir import` open alike.
PoolOptions poolOptionsFromConfig(const DirectoryConfig& config);
// The advertisement rules it asks for, with its provisioned CPS entries read.
Result<AdvertisementRules> advertisementRulesFromConfig(const DirectoryConfig& config);

// Imports a CSV SPC map into `store`, reporting progress through `progress`.
// On a bad line nothing is imported and the error names the line.
Result<std::size_t> importSpcMapCsv(KeyStore& store, const std::string& path,
                                    const std::function<void(std::size_t)>& progress);

}  // namespace keydir
