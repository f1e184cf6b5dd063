#pragma once
// The directory as a running server: opens the store and the trust anchors
// from the configuration, imports the SPC map if one is given, and serves
// its routes over HTTP or HTTPS (HttpServer) until stopped.

#include <memory>

#include "directory/background_thread.h"
#include "directory/directory_service.h"
#include "directory/http/http_server.h"
#include "directory/server/answers_made_ahead.h"
#include "directory/server/peer_watch.h"
#include "directory/store/connection_pool.h"
#include "directory/store/sql_key_store.h"

namespace keydir {

class DirectoryServer {
 public:
  // `clock` must outlive the server; null means the system clock.
  static Result<std::unique_ptr<DirectoryServer>> create(const DirectoryConfig& config,
                                                         const Clock* clock = nullptr);
  ~DirectoryServer();

  // Serves, and sweeps the feed every expiry_sweep_seconds.
  void start();
  void stop();
  // One sweep now: expired keys and advertisements leave the feed, and
  // what is past feed_retention_seconds is forgotten (feed_retention.h).
  // Returns how many records expired.
  Result<std::size_t> sweepFeed();
  // The bound port: useful with "127.0.0.1:0".
  int port() const;
  DirectoryService& service() { return *service_; }

 private:
  DirectoryServer() = default;

  SystemClock system_clock_;
  std::unique_ptr<DirectoryService> service_;
  std::unique_ptr<HttpServer> http_;
  BackgroundThread sweeper_;
  std::unique_ptr<AnswersMadeAhead> answers_ahead_;  // lookup_answers_prefill
  std::unique_ptr<PeerWatch> peer_watch_;            // on PostgreSQL
};

// The listener a configuration asks for.
HttpServerOptions httpOptionsFromConfig(const DirectoryConfig& config);
// The feed's settings a configuration asks for.
FeedSettings feedSettingsFromConfig(const DirectoryConfig& config);
// Opens the directory's SQLite file as a configuration asks, migrating it,
// with progress on stderr when a large file's feed index is (re)built.
Result<std::unique_ptr<SqlKeyStore>> openDirectoryStore(const DirectoryConfig& config,
                                                        const PoolOptions& pool);
// The trust anchors and CRLs a configuration names.
Result<std::unique_ptr<TrustStore>> trustStoreFromConfig(const DirectoryConfig& config);
// The access log, metrics, write limit and body limit a configuration asks
// for, which every keydir server has.
Result<void> openHttpParts(HttpService& service, const DirectoryConfig& config);
// Lookup answers held as a configuration asks, their file made; null when
// off. kUnavailable when the file cannot be made.
Result<std::unique_ptr<LookupAnswers>> lookupAnswersFromConfig(KeyStore& store,
                                                               const DirectoryConfig& config,
                                                               LookupAnswers::Writers writers);
// Makes the service's lookup answers ahead when its configuration asks
// (lookup_answers_prefill); null when it does not. Not started.
std::unique_ptr<AnswersMadeAhead> answersMadeAheadFromConfig(
    DirectoryService& service, std::function<bool()> ready = [] { return true; });
// The key rules a configuration asks for.
KeyPolicy keyPolicyFromConfig(const DirectoryConfig& config);
// The SQLite connections `keydir serve` and `keydir import` open alike.
PoolOptions poolOptionsFromConfig(const DirectoryConfig& config);
// The advertisement rules it asks for, with its provisioned CPS entries read.
Result<AdvertisementRules> advertisementRulesFromConfig(const DirectoryConfig& config);

// Imports a CSV SPC map into `store`, reporting progress through `progress`.
// On a bad line nothing is imported and the error names the line. With
// `replace_all` the file is the whole map: entries it lacks are removed.
Result<std::size_t> importSpcMapCsv(KeyStore& store, const std::string& path,
                                    const std::function<void(std::size_t)>& progress,
                                    bool replace_all = false);

}  // namespace keydir
