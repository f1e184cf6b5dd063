#pragma once
// Keeps a cache's replica following the directory's feed (docs/design.md section
// 8): the first copy at once when there is none (progress on stderr), else
// the first poll after a random 0 to poll_seconds; then every poll_seconds
// with +-20% jitter. A digest that disagrees leaves the sequence where it
// was and takes a fresh snapshot while the cache goes on serving (a mirror
// aside, swapped in whole: cache/resnapshot.h); failures
// back off with jitter. Everything it refuses is logged without a full TN
// and counted.

#include <functional>
#include <random>

#include "cache/cache_service.h"
#include "directory/background_thread.h"
#include "directory/client/directory_client.h"
#include "directory/feed_follower.h"

namespace keydir {

class FeedPoller {
 public:
  // All must outlive the poller.
  FeedPoller(CacheService& service, DirectoryClient& upstream, bool wide_only);
  ~FeedPoller();

  void start();
  void stop();
  // One poll now, on the caller's thread.
  Result<SyncReport> pollOnce();

 private:
  void run();
  double random01();
  FollowerOptions followerOptions(bool wide_only);

  CacheService& service_;
  DirectoryClient& upstream_;
  const bool wide_only_;
  FeedFollower follower_;
  std::mt19937_64 random_{std::random_device{}()};
  BackgroundThread thread_;
};

}  // namespace keydir
