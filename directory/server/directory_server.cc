#include "directory/server/directory_server.h"

#include <filesystem>
#include <fstream>
#include <iostream>

#include "directory/feed_retention.h"
#include "directory/server/routes.h"
#include "directory/store/postgres.h"
#include "directory/store/sql_advertisement_store.h"
#include "directory/store/sql_feed_store.h"
#include "directory/store/sql_key_store.h"

namespace keydir {

HttpServerOptions httpOptionsFromConfig(const DirectoryConfig& config) {
  HttpServerOptions options;
  options.listen = config.listen;
  options.tls_cert = config.tls_cert;
  options.tls_key = config.tls_key;
  options.max_threads = config.max_threads;
  options.max_queued = config.max_queued;
  options.keep_alive_timeout_seconds = config.keep_alive_timeout_seconds;
  options.max_keep_alive_requests = config.max_keep_alive_requests;
  options.core = config.http_core;
  options.event_threads = config.event_threads;
  options.worker_threads = config.worker_threads;
  options.max_connections = config.max_connections;
  options.header_timeout_seconds = config.header_timeout_seconds;
  options.body_timeout_seconds = config.body_timeout_seconds;
  options.send_timeout_seconds = config.send_timeout_seconds;
  options.max_header_bytes = config.max_header_bytes;
  options.max_headers = config.max_headers;
  return options;
}

FeedSettings feedSettingsFromConfig(const DirectoryConfig& config) {
  return {config.bucket_bits, config.wide_threshold};
}

Result<std::unique_ptr<SqlKeyStore>> openDirectoryStore(const DirectoryConfig& config,
                                                        const PoolOptions& pool) {
  return SqlKeyStore::open(
      config.db, pool, feedSettingsFromConfig(config),
      [](std::size_t done, std::size_t total) {
        if (total >= 10000) {
          std::cerr << "keydir: building the feed's bucket index and digests: " << done << " of "
                    << total << " records\n";
        }
      },
      [](const std::string& note) { std::cerr << "keydir: " << note << "\n"; });
}

Result<std::unique_ptr<TrustStore>> trustStoreFromConfig(const DirectoryConfig& config) {
  auto trust = TrustStore::load(config.trust, {config.crls.begin(), config.crls.end()});
  if (!trust) return std::unexpected(trust.error());
  return std::make_unique<TrustStore>(std::move(*trust));
}

Result<void> openHttpParts(HttpService& service, const DirectoryConfig& config) {
  auto log = AccessLog::open(config.access_log, config.log_full_tn);
  if (!log) return std::unexpected(log.error());
  service.access_log = std::move(*log);
  service.metrics = std::make_unique<Metrics>();
  service.write_limiter =
      std::make_unique<RateLimiter>(config.write_rate_per_second, config.write_burst);
  service.max_body_bytes = config.max_body_bytes;
  service.https = config.usesTls();
  return {};
}

namespace {

std::string lookupAnswersDirectory(const DirectoryConfig& config) {
  if (!config.lookup_answers_dir.empty()) return config.lookup_answers_dir;
  // With PostgreSQL there is no database file to sit beside; /var/tmp is
  // on disk where /tmp may be memory.
  if (isPostgresTarget(config.db)) {
    std::error_code error;
    if (std::filesystem::is_directory("/var/tmp", error)) return "/var/tmp";
    return std::filesystem::temp_directory_path().string();
  }
  const std::filesystem::path parent = std::filesystem::path(config.db).parent_path();
  return parent.empty() ? "." : parent.string();
}

}  // namespace

Result<std::unique_ptr<LookupAnswers>> lookupAnswersFromConfig(KeyStore& store,
                                                               const DirectoryConfig& config,
                                                               LookupAnswers::Writers writers) {
  if (config.lookup_answers_mib <= 0) return nullptr;
  const std::string directory = lookupAnswersDirectory(config);
  auto file = AnswerFile::open(directory, std::size_t(config.lookup_answers_file_mib) << 20);
  if (!file) {
    return fail(file.error().code, file.error().message +
                                       " (set lookup_answers_dir to a writable directory, or "
                                       "lookup_answers_mib=0 to hold no answers)");
  }
  return std::make_unique<LookupAnswers>(store, std::size_t(config.lookup_answers_mib) << 20,
                                         std::move(*file), writers);
}

std::unique_ptr<AnswersMadeAhead> answersMadeAheadFromConfig(DirectoryService& service,
                                                             std::function<bool()> ready) {
  if (!service.lookup_answers || !service.config.lookup_answers_prefill) return nullptr;
  // Half the database connections (at least one: the constructor sees to
  // it), so that lookups still find one free.
  const auto threads = unsigned(service.config.db_connections / 2);
  return std::make_unique<AnswersMadeAhead>(
      *service.lookup_answers, static_cast<SqlKeyStore&>(*service.store), *service.registry,
      *service.clock, std::move(ready), threads);
}

KeyPolicy keyPolicyFromConfig(const DirectoryConfig& config) {
  KeyPolicy policy;
  policy.credential.max_validity = std::chrono::seconds(config.max_credential_validity_seconds);
  policy.credential.require_delegation_usage = config.require_delegation_usage;
  policy.credential.max_chain_length = config.max_chain_length;
  policy.max_keys_per_signer_scope = config.max_keys_per_signer_scope;
  policy.revocation_window = std::chrono::seconds(config.revocation_window_seconds);
  policy.public_url = config.effectivePublicUrl();
  return policy;
}

PoolOptions poolOptionsFromConfig(const DirectoryConfig& config) {
  PoolOptions pool;
  pool.connections = config.db_connections;
  pool.cache_mib = config.db_cache_mib;
  pool.mmap_mib = config.db_mmap_mib;
  return pool;
}

Result<AdvertisementRules> advertisementRulesFromConfig(const DirectoryConfig& config) {
  AdvertisementRules rules;
  rules.verification.limits.max_pairs = config.max_advertisement_pairs;
  rules.verification.limits.max_bytes = config.max_body_bytes;
  rules.verification.max_chain_length = config.max_chain_length;
  rules.public_url = config.effectivePublicUrl();
  if (!config.provisioned_cps.empty()) {
    auto provisioned = loadProvisionedCps(config.provisioned_cps);
    if (!provisioned) return std::unexpected(provisioned.error());
    rules.provisioned = std::move(*provisioned);
  }
  return rules;
}

Result<std::size_t> importSpcMapCsv(KeyStore& store, const std::string& path,
                                    const std::function<void(std::size_t)>& progress,
                                    bool replace_all) {
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::kNotFound, "cannot read SPC map " + path);
  auto entries = parseSpcMapCsv(in);
  if (!entries) return failWithContext(entries.error(), path);
  return store.importSpcMap(*entries, progress, replace_all);
}

Result<std::unique_ptr<DirectoryServer>> DirectoryServer::create(const DirectoryConfig& config,
                                                                 const Clock* clock) {
  if (auto ok = config.validate(); !ok) return std::unexpected(ok.error());
  std::unique_ptr<DirectoryServer> server(new DirectoryServer());
  auto service = std::make_unique<DirectoryService>();
  service->config = config;
  service->clock = clock ? clock : &server->system_clock_;

  auto trust = trustStoreFromConfig(config);
  if (!trust) return std::unexpected(trust.error());
  service->trust = std::move(*trust);
  auto store = openDirectoryStore(config, poolOptionsFromConfig(config));
  if (!store) return std::unexpected(store.error());
  service->advertisement_store = std::make_unique<SqlAdvertisementStore>((*store)->pool());
  service->feed = std::make_unique<SqlFeedStore>((*store)->pool());
  service->store = std::move(*store);
  if (!config.spc_map.empty()) {
    auto imported = importSpcMapCsv(*service->store, config.spc_map, {});
    if (!imported) return std::unexpected(imported.error());
  }
  if (auto ok = openHttpParts(*service, config); !ok) return std::unexpected(ok.error());

  auto http = HttpServer::listen(httpOptionsFromConfig(config));
  if (!http) return std::unexpected(http.error());
  server->http_ = std::move(*http);
  // Listening on port 0 picks a port: name the one really bound.
  if (service->config.public_url.empty()) service->config.public_url = server->http_->baseUrl();
  service->registry = std::make_unique<KeyRegistry>(*service->store, *service->trust,
                                                    keyPolicyFromConfig(service->config));
  auto rules = advertisementRulesFromConfig(service->config);
  if (!rules) return std::unexpected(rules.error());
  service->advertisements = std::make_unique<AdvertisementRegistry>(
      *service->advertisement_store, service->store->spcMap(), *service->trust, std::move(*rules));
  // On SQLite a held answer is checked against the feed's head on each use
  // (a local read); on PostgreSQL that is a round trip, so the process
  // counts its own commits and a watch counts other processes' changes.
  const bool shared_database = isPostgresTarget(config.db);
  auto held = lookupAnswersFromConfig(*service->store, config,
                                      shared_database ? LookupAnswers::Writers::kThisProcessOnly
                                                      : LookupAnswers::Writers::kAnyProcess);
  if (!held) return std::unexpected(held.error());
  service->lookup_answers = std::move(*held);
  if (shared_database && service->lookup_answers) {
    server->peer_watch_ = std::make_unique<PeerWatch>(
        *service->store, config.db, std::chrono::milliseconds(config.peer_poll_ms));
  }
  server->service_ = std::move(service);
  return server;
}

DirectoryServer::~DirectoryServer() { stop(); }

void DirectoryServer::start() {
  http_->start(new Router(*service_, directoryRoutes()));
  if (peer_watch_) peer_watch_->start();
  answers_ahead_ = answersMadeAheadFromConfig(*service_);
  if (answers_ahead_) answers_ahead_->start();
  sweeper_.start([this] {
    const auto period = std::chrono::seconds(service_->config.expiry_sweep_seconds);
    while (sweeper_.sleep(period)) {
      if (auto swept = sweepFeed(); !swept) {
        std::cerr << "keydir: feed sweep failed: " << swept.error().message << "\n";
      }
    }
  });
}

void DirectoryServer::stop() {
  sweeper_.stop();
  answers_ahead_.reset();
  if (peer_watch_) peer_watch_->stop();
  if (http_) http_->stop();
}

Result<std::size_t> DirectoryServer::sweepFeed() {
  // Small batches, each its own transaction, so that registrations are not
  // held up behind a long sweep.
  constexpr std::size_t kBatch = 1000;
  const Instant now = service_->clock->now();
  std::size_t expired = 0;
  for (;;) {
    auto swept = service_->feed->sweepExpired(now, kBatch);
    if (!swept) return swept;
    expired += *swept;
    if (*swept < kBatch) break;
  }
  auto forgotten = forgetPastRetention(
      *service_->feed, now, std::chrono::seconds(service_->config.feed_retention_seconds));
  if (!forgotten) return std::unexpected(forgotten.error());
  if (auto note = forgettingBacklogNote(*forgotten); !note.empty()) {
    std::cerr << "keydir: " << note << "\n";
  }
  return expired;
}

int DirectoryServer::port() const { return http_->port(); }

}  // namespace keydir
