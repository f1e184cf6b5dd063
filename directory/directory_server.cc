#include "directory/directory_server.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <malloc.h>

#include <fstream>

#include "directory/listening_socket.h"
#include "directory/router.h"
#include "directory/sqlite_advertisement_store.h"
#include "directory/sqlite_key_store.h"

namespace keydir {
namespace {

Result<Poco::Net::SocketAddress> parseListen(const std::string& listen) {
  try {
    return Poco::Net::SocketAddress(listen);
  } catch (const std::exception& error) {
    return fail(ErrorCode::kMalformed,
                "listen address '" + listen + "' does not parse: " + error.what());
  }
}

}  // namespace

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
                                    const std::function<void(std::size_t)>& progress) {
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::kNotFound, "cannot read SPC map " + path);
  auto entries = parseSpcMapCsv(in);
  if (!entries) return failWithContext(entries.error(), path);
  return store.importSpcMap(*entries, progress);
}

Result<std::unique_ptr<DirectoryServer>> DirectoryServer::create(const DirectoryConfig& config,
                                                                 const Clock* clock) {
  if (auto ok = config.validate(); !ok) return std::unexpected(ok.error());
  // With a thread per connection glibc gives threads their own arenas and
  // hands freed memory back to the kernel eagerly; each give-back flushes
  // every core's TLB, and under load that cost more than a lookup did.
  // Keeping up to 64 MiB free per arena avoids it.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  std::unique_ptr<DirectoryServer> server(new DirectoryServer());
  auto service = std::make_unique<DirectoryService>();
  service->config = config;
  service->clock = clock ? clock : &server->system_clock_;

  auto trust = TrustStore::load(config.trust, {config.crls.begin(), config.crls.end()});
  if (!trust) return std::unexpected(trust.error());
  service->trust = std::make_unique<TrustStore>(std::move(*trust));
  auto store = SqliteKeyStore::open(config.db, poolOptionsFromConfig(config));
  if (!store) return std::unexpected(store.error());
  service->advertisement_store = std::make_unique<SqliteAdvertisementStore>((*store)->pool());
  service->store = std::move(*store);
  if (!config.spc_map.empty()) {
    auto imported = importSpcMapCsv(*service->store, config.spc_map, {});
    if (!imported) return std::unexpected(imported.error());
  }
  auto log = AccessLog::open(config.access_log, config.log_full_tn);
  if (!log) return std::unexpected(log.error());
  service->access_log = std::move(*log);
  service->metrics = std::make_unique<Metrics>();
  service->write_limiter =
      std::make_unique<RateLimiter>(config.write_rate_per_second, config.write_burst);
  auto address = parseListen(config.listen);
  if (!address) return std::unexpected(address.error());
  auto params = Poco::AutoPtr<Poco::Net::HTTPServerParams>(new Poco::Net::HTTPServerParams);
  params->setMaxThreads(config.max_threads);
  params->setMaxQueued(config.max_queued);
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(config.keep_alive_timeout_seconds, 0));
  params->setMaxKeepAliveRequests(config.max_keep_alive_requests);
  params->setTimeout(Poco::Timespan(30, 0));
  params->setThreadIdleTime(Poco::Timespan(30, 0));
  server->threads_ = std::make_unique<Poco::ThreadPool>(4, config.max_threads + 8, 30);

  try {
    Poco::Net::ServerSocket socket = ListeningSocket();
    if (config.usesTls()) {
      Poco::Net::initializeSSL();
      Poco::Net::Context::Ptr context =
          new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, config.tls_key,
                                 config.tls_cert, "", Poco::Net::Context::VERIFY_NONE);
      context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
      context->preferServerCiphers();
      socket = Poco::Net::SecureServerSocket(context);
    }
    // Poco's usual bind also sets SO_REUSEPORT, which let a second directory
    // start on a port already served and quietly take half its connections.
    // Only SO_REUSEADDR, so that a restart can bind at once.
    socket.bind(*address, true, false);
    socket.listen(256);
    if (service->config.public_url.empty()) {
      // Listening on port 0 picks a port: name the one really bound.
      service->config.public_url = std::string(config.usesTls() ? "https://" : "http://") +
                                   address->host().toString() + ":" +
                                   std::to_string(socket.address().port());
    }
    service->registry = std::make_unique<KeyRegistry>(*service->store, *service->trust,
                                                      keyPolicyFromConfig(service->config));
    auto rules = advertisementRulesFromConfig(service->config);
    if (!rules) return std::unexpected(rules.error());
    service->advertisements = std::make_unique<AdvertisementRegistry>(
        *service->advertisement_store, service->store->spcMap(), *service->trust,
        std::move(*rules));
    server->service_ = std::move(service);
    server->server_ = std::make_unique<Poco::Net::HTTPServer>(new Router(*server->service_),
                                                              *server->threads_, socket, params);
  } catch (const std::exception& error) {
    return fail(ErrorCode::kUnavailable, "cannot listen on " + config.listen + ": " + error.what());
  }
  return server;
}

DirectoryServer::~DirectoryServer() { stop(); }

void DirectoryServer::start() {
  server_->start();
  running_ = true;
}

void DirectoryServer::stop() {
  if (!running_) return;
  running_ = false;
  server_->stopAll(true);
  threads_->joinAll();
}

int DirectoryServer::port() const { return server_->port(); }

}  // namespace keydir
