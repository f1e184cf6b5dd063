#pragma once
// Everything a request handler may use, built once by DirectoryServer.

#include <memory>
#include <mutex>
#include <optional>

#include "certs/trust_store.h"
#include "directory/advertisement_registry.h"
#include "directory/directory_config.h"
#include "directory/http/http_service.h"
#include "directory/key_registry.h"
#include "directory/lookup_answers.h"
#include "directory/store/feed_store.h"
#include "directory/store/key_store.h"

namespace keydir {

struct DirectoryService : HttpService {
  DirectoryConfig config;
  std::unique_ptr<KeyStore> store;
  std::unique_ptr<TrustStore> trust;
  std::unique_ptr<KeyRegistry> registry;
  std::unique_ptr<AdvertisementStore> advertisement_store;  // on the key store's file
  std::unique_ptr<AdvertisementRegistry> advertisements;
  std::unique_ptr<FeedStore> feed;                // on the key store's file
  std::unique_ptr<LookupAnswers> lookup_answers;  // null when off

  // An event thread of the reactor core keeps one SQLite connection of the
  // store's pool for its lookups.
  std::shared_ptr<void> holdForEventThread() override;

  // The store's counts, for /v1/meta and /metrics. Counting the live keys
  // walks an index of all of them, so a count is used again while the feed
  // has not moved, for up to 5 s (expiry changes the count without a change
  // until the sweep enters it); and while one request counts, others take
  // the last count rather than count too, so a flood of them costs one
  // count at a time.
  Result<StoreCounts> counts(Instant now);

 private:
  std::mutex counts_mutex_;
  std::optional<StoreCounts> counts_;
  Instant counted_at_;
  bool counting_ = false;
};

}  // namespace keydir
