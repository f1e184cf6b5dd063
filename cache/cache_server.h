#pragma once
// `keydir cache` as a running server: opens (or creates) its own SQLite
// file, its anchors and its upstream, serves the directory's read API from
// its verified replica over HTTP or HTTPS, and keeps the replica following
// the directory's feed until stopped.

#include <memory>

#include "cache/bucket_holder.h"
#include "cache/cache_service.h"
#include "cache/feed_poller.h"
#include "cache/held_buckets.h"
#include "directory/client/directory_client.h"
#include "directory/http/http_server.h"
#include "directory/server/answers_made_ahead.h"

namespace keydir {

class CacheServer {
 public:
  // `clock` must outlive the server; null means the system clock. A new
  // file takes the feed's settings from the upstream's /v1/meta, so the
  // upstream must answer then; an existing file answers at once.
  static Result<std::unique_ptr<CacheServer>> create(const DirectoryConfig& config,
                                                     const Clock* clock = nullptr);
  ~CacheServer();

  // Serves, and starts following the feed.
  void start();
  void stop();
  int port() const;
  std::string baseUrl() const;
  CacheService& service() { return *service_; }
  FeedPoller& poller() { return *poller_; }
  BucketHolder* buckets() { return buckets_.get(); }

 private:
  CacheServer() = default;

  SystemClock system_clock_;
  std::unique_ptr<CacheService> service_;
  std::unique_ptr<DirectoryClient> upstream_;
  std::unique_ptr<FeedPoller> poller_;
  std::unique_ptr<HeldBuckets> held_buckets_;  // buckets mode
  std::unique_ptr<BucketHolder> buckets_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<AnswersMadeAhead> answers_ahead_;  // lookup_answers_prefill
};

}  // namespace keydir
