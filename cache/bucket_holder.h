#pragma once
// Buckets mode (docs/design.md section 8): a lookup's bucket is held, or fetched
// from the directory together with its decoys, concurrently and in
// shuffled order, so that the directory sees 1 + decoys buckets and no
// number. A held bucket's answer is complete, so any TN in it is answered
// from the replica, "no keys" included. Concurrent misses for one bucket
// share one request set; failures back off with jitter and nothing from a
// failed answer is kept. Buckets in use, and those of the address book,
// are refreshed ahead of expiry at jittered times. Thread-safe.

#include <cstdint>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include "cache/cache_service.h"
#include "cache/held_buckets.h"
#include "directory/background_thread.h"
#include "directory/client/directory_client.h"

namespace keydir {

class BucketHolder {
 public:
  enum class Found { kHeld, kFetched, kStale };
  struct Answerable {
    Found found;
    Instant fetched;  // when the bucket's answer came
  };

  // `address_book` holds canonical TNs whose buckets are fetched at start
  // and kept fresh. All must outlive the holder.
  BucketHolder(CacheService& service, DirectoryClient& upstream, HeldBuckets& held,
               std::vector<std::string> address_book);
  ~BucketHolder();

  // Reads the buckets held in the file.
  Result<void> load();
  // Makes sure the bucket of canonical `tn` can be answered from the
  // replica. kUnavailable when it is not held and the directory does not
  // answer (or is backed off).
  Result<Answerable> ensure(const std::string& tn);
  // The buckets one miss of `bucket` asks for, in no particular order.
  std::vector<std::uint32_t> requestSet(std::uint32_t bucket) const;
  std::size_t heldCount() const;

  void start();
  void stop();

 private:
  struct Entry {
    std::int64_t seq = 0;
    Instant fetched;
    Instant expires;
    Instant refresh_at;
    Instant used;
  };

  Result<void> fetchShared(std::uint32_t bucket);
  Result<void> fetchSet(std::uint32_t bucket);
  Result<void> keepAnswer(std::uint32_t bucket, const HttpAnswer& answer);
  void refuse(std::uint32_t bucket, const std::string& kind, const std::string& id,
              const std::string& reason, const std::string& detail);
  void refreshLoop();
  double random01();

  CacheService& service_;
  DirectoryClient& upstream_;
  HeldBuckets& held_buckets_;
  const int bits_;                  // the replica's feed settings, fixed
  const long long wide_threshold_;  // for the file's life
  std::set<std::uint32_t> pinned_;  // the address book's buckets

  mutable std::mutex mutex_;
  std::map<std::uint32_t, Entry> held_;
  std::map<std::uint32_t, std::shared_future<Result<void>>> in_flight_;
  int failures_ = 0;
  Instant retry_after_;
  std::mt19937_64 random_{std::random_device{}()};

  std::mutex store_mutex_;  // one answer written into the replica at a time

  BackgroundThread refresher_;
};

}  // namespace keydir
