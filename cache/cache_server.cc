#include "cache/cache_server.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cache/cache_log.h"
#include "cache/routes.h"
#include "certs/tn.h"
#include "directory/server/directory_server.h"
#include "directory/store/postgres.h"
#include "directory/store/sql_advertisement_store.h"
#include "directory/store/sql_feed_store.h"
#include "directory/store/sql_key_store.h"

namespace keydir {
namespace {

// A new replica must count wide records and buckets as its upstream does,
// or no digest would ever agree.
Result<FeedSettings> upstreamFeedSettings(DirectoryClient& upstream) {
  auto answer = upstream.call("GET", "/v1/meta");
  if (!answer) {
    return failWithContext(answer.error(),
                           "a new cache learns the feed's settings from the directory's /v1/meta");
  }
  auto meta = nlohmann::json::parse(answer->body, nullptr, false);
  if (!meta.is_object() || !meta.contains("bucket_bits") || !meta.contains("wide_threshold")) {
    return fail(ErrorCode::kMalformed, upstream.baseUrl() +
                                           "/v1/meta names no bucket_bits and wide_threshold: "
                                           "is it a keydir directory of this version?");
  }
  return FeedSettings{meta["bucket_bits"].get<int>(), meta["wide_threshold"].get<long long>()};
}

// One TN a line; blank lines and '#' comments skipped.
Result<std::vector<std::string>> readAddressBook(const std::string& path) {
  std::vector<std::string> tns;
  if (path.empty()) return tns;
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::kNotFound, "cannot read address book " + path);
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    line.erase(0, line.find_first_not_of(" \t"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (line.empty() || line[0] == '#') continue;
    auto tn = canonicalTn(line);
    if (!tn) {
      return failWithContext(tn.error(), path + " line " + std::to_string(number));
    }
    tns.push_back(*tn);
  }
  return tns;
}

}  // namespace

Result<std::unique_ptr<CacheServer>> CacheServer::create(const DirectoryConfig& config,
                                                         const Clock* clock) {
  if (auto ok = config.validateCache(); !ok) return std::unexpected(ok.error());
  std::unique_ptr<CacheServer> server(new CacheServer());
  auto service = std::make_unique<CacheService>();
  service->config = config;
  service->clock = clock ? clock : &server->system_clock_;

  auto trust = trustStoreFromConfig(config);
  if (!trust) return std::unexpected(trust.error());
  service->trust = std::move(*trust);
  auto upstream = DirectoryClient::create(config.upstream, config.upstream_ca);
  if (!upstream) return std::unexpected(upstream.error());
  server->upstream_ = std::make_unique<DirectoryClient>(std::move(*upstream));

  // A cache's copy is its own and is swapped whole for a fresh snapshot,
  // which is a file's job: a shared database is for directories.
  if (isPostgresTarget(config.db)) {
    return fail(ErrorCode::kMalformed,
                "a cache keeps its copy in a SQLite file of its own; db names a PostgreSQL "
                "database, which is for directories (keydir serve)");
  }
  std::optional<FeedSettings> settings;
  if (!std::filesystem::exists(config.db)) {
    auto learned = upstreamFeedSettings(*server->upstream_);
    if (!learned) return std::unexpected(learned.error());
    settings = *learned;
  }
  auto store = SqlKeyStore::open(config.db, poolOptionsFromConfig(config), settings, {},
                                 [](const std::string& note) { cacheSay(note); });
  if (!store) return failWithContext(store.error(), config.db);
  service->advertisement_store = std::make_unique<SqlAdvertisementStore>((*store)->pool());
  service->feed = std::make_unique<SqlFeedStore>((*store)->pool());
  auto cache_store = CacheStore::open((*store)->pool());
  if (!cache_store) return std::unexpected(cache_store.error());
  service->cache_store = std::move(*cache_store);
  service->store = std::move(*store);

  auto last_good = service->cache_store->lastGoodPoll();
  if (!last_good) return std::unexpected(last_good.error());
  auto followed = service->feed->followerState();
  if (!followed) return std::unexpected(followed.error());
  service->status =
      std::make_unique<CacheStatus>(std::chrono::seconds(config.effectiveMaxStalenessSeconds()),
                                    *last_good, *followed ? (*followed)->sequence : 0);

  if (auto ok = openHttpParts(*service, config); !ok) return std::unexpected(ok.error());
  service->cache_metrics = std::make_unique<CacheMetrics>(service->metrics->registry());
  service->registry =
      std::make_unique<KeyRegistry>(*service->store, *service->trust, keyPolicyFromConfig(config));
  service->advertisements = std::make_unique<AdvertisementRegistry>(
      *service->advertisement_store, service->store->spcMap(), *service->trust,
      AdvertisementRules{});
  // The replica changes only through this process (its feed, its buckets,
  // a fresh snapshot swapped in), so the same held answers serve hits, and
  // ask SQLite whether the file moved only after this process wrote it.
  auto held =
      lookupAnswersFromConfig(*service->store, config, LookupAnswers::Writers::kThisProcessOnly);
  if (!held) return std::unexpected(held.error());
  service->lookup_answers = std::move(*held);
  server->upstream_->onAnswer(
      [metrics = service->cache_metrics.get()](const std::string& path, int status) {
        metrics->countUpstream(upstreamKind(path), status);
      });

  auto http = HttpServer::listen(httpOptionsFromConfig(config));
  if (!http) return std::unexpected(http.error());
  server->http_ = std::move(*http);
  server->service_ = std::move(service);
  server->poller_ =
      std::make_unique<FeedPoller>(*server->service_, *server->upstream_, config.mode == "buckets");
  if (config.mode == "buckets") {
    auto book = readAddressBook(config.address_book);
    if (!book) return std::unexpected(book.error());
    auto& pool = static_cast<SqlKeyStore&>(*server->service_->store).pool();
    auto held = HeldBuckets::open(pool);
    if (!held) return std::unexpected(held.error());
    server->held_buckets_ = std::move(*held);
    server->buckets_ = std::make_unique<BucketHolder>(*server->service_, *server->upstream_,
                                                      *server->held_buckets_, std::move(*book));
    if (auto loaded = server->buckets_->load(); !loaded) return std::unexpected(loaded.error());
    server->service_->buckets = server->buckets_.get();
    // A miss fetches buckets from the directory: lookups may wait.
    server->service_->lookups_wait = true;
  }
  return server;
}

CacheServer::~CacheServer() { stop(); }

void CacheServer::start() {
  http_->start(new Router(*service_, cacheRoutes()));
  poller_->start();
  if (buckets_) buckets_->start();
  // Before the first copy there is nothing to make answers of.
  answers_ahead_ = answersMadeAheadFromConfig(
      *service_, [status = service_->status.get()] { return !status->empty(); });
  if (answers_ahead_) answers_ahead_->start();
}

void CacheServer::stop() {
  answers_ahead_.reset();
  if (buckets_) buckets_->stop();
  if (poller_) poller_->stop();
  if (http_) http_->stop();
}

int CacheServer::port() const { return http_->port(); }
std::string CacheServer::baseUrl() const { return http_->baseUrl(); }

}  // namespace keydir
