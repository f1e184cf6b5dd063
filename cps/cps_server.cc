#include "cps/cps_server.h"

#include <fstream>

#include "cps/memory_entry_store.h"
#include "cps/redis_entry_store.h"
#include "cps/routes.h"
#include "directory/client/chain_fetch.h"
#include "directory/server/directory_server.h"

namespace keydir {

BoardRules boardRulesFromConfig(const DirectoryConfig& config) {
  BoardRules rules;
  rules.tick_seconds = config.tick_seconds;
  rules.max_age_seconds = config.max_age_seconds;
  rules.slots_per_tick = int(config.slots_per_tick);
  rules.max_store_wait_seconds = config.max_store_wait_seconds;
  rules.entry.max_jwe_bytes = config.max_jwe_bytes;
  rules.entry.max_jwes = config.max_jwes_per_entry;
  rules.max_entries_per_tn = config.max_entries_per_tn;
  rules.max_entries = config.max_entries;
  rules.min_prefix_digits = config.min_prefix_digits;
  rules.max_prefix_numbers = config.max_prefix_numbers;
  rules.dummy_cache_bytes = std::size_t(config.dummy_cache_mib) << 20;
  return rules;
}

Result<std::unique_ptr<CpsServer>> CpsServer::create(const DirectoryConfig& config,
                                                     const Clock* clock, std::string secret) {
  if (auto ok = config.validateCps(); !ok) return std::unexpected(ok.error());
  std::unique_ptr<CpsServer> server(new CpsServer());
  auto service = std::make_unique<CpsService>();
  service->config = config;
  service->clock = clock ? clock : &server->system_clock_;
  if (auto ok = openHttpParts(*service, config); !ok) return std::unexpected(ok.error());
  // The largest entry allowed, as JSON, bounds the body.
  service->max_body_bytes = config.max_jwes_per_entry * (config.max_jwe_bytes + 16) + 1024;
  service->cps_metrics = std::make_unique<CpsMetrics>(service->metrics->registry());
  if (config.store == "memory") {
    service->store = std::make_unique<MemoryEntryStore>();
  } else {
    // Long enough for anything a number shows, and a tick's shown mark.
    auto redis = RedisEntryStore::open(config.store, 2 * config.max_age_seconds + 60);
    if (!redis) return std::unexpected(redis.error());
    service->store = std::move(*redis);
  }
  if (secret.empty()) {
    auto shared = service->store->sharedSecret(DummyMaker::randomSecret());
    if (!shared) return std::unexpected(shared.error());
    secret = *shared;
  }
  service->dummies = std::make_unique<DummyMaker>(secret);

  std::unique_ptr<DirectoryClient> directory;
  if (!config.directory.empty()) {
    auto client = DirectoryClient::create(config.directory, config.directory_ca);
    if (!client) return std::unexpected(client.error());
    directory = std::make_unique<DirectoryClient>(std::move(*client));
    // A dummy's shape may wait on the directory: lookups go to workers.
    service->lookups_wait = true;
  }
  service->keys = std::make_unique<NumberKeys>(std::move(directory), *service->dummies,
                                               std::chrono::seconds(config.lookup_max_age_seconds));
  service->board =
      std::make_unique<PassportBoard>(*service->store, *service->keys, *service->dummies,
                                      boardRulesFromConfig(config), service->cps_metrics.get());

  service->token_keys = std::make_unique<TokenKeys>(
      config.store == "memory" ? fileTokenKeyKeeper(config.token_keys)
                               : storeTokenKeyKeeper(*service->store),
      std::chrono::days(config.token_key_days), std::chrono::hours(config.token_grace_hours));
  // The key is made or read now, so that a key file that cannot be used
  // stops the start, not the first store.
  if (auto key = service->token_keys->current(service->clock->now()); !key) {
    return failWithContext(key.error(), "storage token keys");
  }
  service->tokens = std::make_unique<StorageTokens>(
      *service->store, *service->token_keys, TokenRules{config.name, config.tokens_per_hour});

  {  // validateCps() made --trust required
    auto trust = trustStoreFromConfig(config);
    if (!trust) return std::unexpected(trust.error());
    service->trust = std::move(*trust);
    service->chains = std::make_unique<ChainCache>(
        [tls_ca = config.tls_ca](const std::string& url) { return fetchChain(url, tls_ca); },
        std::chrono::seconds(300));
    service->validated_chains = std::make_unique<ValidatedChains>(std::chrono::seconds(60));
    service->bearer.trust = service->trust.get();
    service->bearer.chains = service->chains.get();
    service->bearer.validated = service->validated_chains.get();
    service->bearer.audience = config.name;
    service->bearer.max_retention = std::chrono::seconds(config.max_age_seconds);
    service->bearer.max_chain_length = config.max_chain_length;
    if (!config.spc_map.empty()) {
      std::ifstream csv(config.spc_map);
      if (!csv) return fail(ErrorCode::kNotFound, "cannot read SPC map " + config.spc_map);
      service->spc_map = std::make_unique<InMemorySpcMap>();
      auto loaded = service->spc_map->loadCsv(csv);
      if (!loaded) return failWithContext(loaded.error(), config.spc_map);
      service->bearer.spc_map = service->spc_map.get();
    }
  }

  auto http = HttpServer::listen(httpOptionsFromConfig(config));
  if (!http) return std::unexpected(http.error());
  server->http_ = std::move(*http);
  server->service_ = std::move(service);
  server->routes_ = cpsRoutes(config.base_path, server->patterns_);
  return server;
}

CpsServer::~CpsServer() { stop(); }

void CpsServer::start() {
  http_->start(new Router(*service_, routes_));
  sweeper_.start([this] {
    const auto every = std::chrono::seconds(service_->config.tick_seconds);
    while (sweeper_.sleep(every)) service_->board->sweep(service_->clock->now());
  });
}

void CpsServer::stop() {
  sweeper_.stop();
  if (http_) http_->stop();
}

int CpsServer::port() const { return http_->port(); }
std::string CpsServer::baseUrl() const { return http_->baseUrl(); }

}  // namespace keydir
