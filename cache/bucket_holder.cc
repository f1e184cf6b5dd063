#include "cache/bucket_holder.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "cache/backoff.h"
#include "cache/cache_log.h"
#include "cache/decoys.h"
#include "directory/bucket_answer.h"
#include "directory/store/feed_hashes.h"

namespace keydir {
namespace {

std::chrono::seconds maxAgeOf(const HttpAnswer& answer) {
  auto header = answer.headers.find("cache-control");
  if (header == answer.headers.end()) return std::chrono::seconds(0);
  auto at = header->second.find("max-age=");
  if (at == std::string::npos) return std::chrono::seconds(0);
  try {
    return std::chrono::seconds(std::max(0LL, std::stoll(header->second.substr(at + 8))));
  } catch (const std::exception&) {
    return std::chrono::seconds(0);
  }
}

}  // namespace

BucketHolder::BucketHolder(CacheService& service, DirectoryClient& upstream, HeldBuckets& held,
                           std::vector<std::string> address_book)
    : service_(service),
      upstream_(upstream),
      held_buckets_(held),
      bits_(service.feed->status().value().bucket_bits),
      wide_threshold_(service.feed->status().value().wide_threshold) {
  for (const auto& tn : address_book) pinned_.insert(bucketOf(tn, bits_));
}

BucketHolder::~BucketHolder() { stop(); }

Result<void> BucketHolder::load() {
  auto all = held_buckets_.all();
  if (!all) return std::unexpected(all.error());
  const Instant now = service_.clock->now();
  std::lock_guard lock(mutex_);
  for (const auto& held : *all) {
    // When it was last used is not kept: until a lookup needs it again it
    // is not refreshed ahead of expiry.
    held_[held.bucket] = {held.seq, now, held.expires, held.expires, Instant{}};
  }
  return {};
}

std::size_t BucketHolder::heldCount() const {
  std::lock_guard lock(mutex_);
  return held_.size();
}

double BucketHolder::random01() { return std::uniform_real_distribution<double>(0, 1)(random_); }

std::vector<std::uint32_t> BucketHolder::requestSet(std::uint32_t bucket) const {
  std::vector<std::uint32_t> set = {bucket};
  for (auto decoy :
       decoyBuckets(service_.cache_store->secret(), bucket, service_.config.decoys, bits_)) {
    set.push_back(decoy);
  }
  return set;
}

Result<BucketHolder::Answerable> BucketHolder::ensure(const std::string& tn) {
  const std::uint32_t bucket = bucketOf(tn, bits_);
  const Instant now = service_.clock->now();
  {
    std::lock_guard lock(mutex_);
    if (auto it = held_.find(bucket); it != held_.end()) {
      it->second.used = now;
      if (it->second.expires > now) return Answerable{Found::kHeld, it->second.fetched};
    }
  }
  auto fetched = fetchShared(bucket);
  std::lock_guard lock(mutex_);
  auto it = held_.find(bucket);
  if (it != held_.end()) it->second.used = now;
  if (fetched && it != held_.end()) return Answerable{Found::kFetched, it->second.fetched};
  // An unexpired record is still served through an outage.
  if (it != held_.end()) return Answerable{Found::kStale, it->second.fetched};
  return fail(ErrorCode::kUnavailable,
              "the cache does not hold this number's bucket and could not fetch it: " +
                  (fetched ? std::string("its answer was refused") : fetched.error().message));
}

Result<void> BucketHolder::fetchShared(std::uint32_t bucket) {
  std::promise<Result<void>> promise;
  std::shared_future<Result<void>> shared;
  {
    std::lock_guard lock(mutex_);
    if (auto it = in_flight_.find(bucket); it != in_flight_.end()) {
      shared = it->second;
    } else {
      const Instant now = service_.clock->now();
      if (failures_ > 0 && now < retry_after_) {
        return fail(ErrorCode::kUnavailable, "the directory failed " + std::to_string(failures_) +
                                                 " time(s) in a row; next try in " +
                                                 std::to_string((retry_after_ - now).count()) +
                                                 " s");
      }
      in_flight_[bucket] = promise.get_future().share();
    }
  }
  if (shared.valid()) return shared.get();
  Result<void> result = fetchSet(bucket);
  {
    std::lock_guard lock(mutex_);
    in_flight_.erase(bucket);
    if (result) {
      failures_ = 0;
    } else if (result.error().code == ErrorCode::kUnavailable) {
      ++failures_;
      const DirectoryConfig& config = service_.config;
      auto delay = backoffSeconds(failures_, config.backoff_base_seconds,
                                  config.backoff_max_seconds, random01());
      retry_after_ = service_.clock->now() + std::chrono::seconds((long long)std::ceil(delay));
    }
  }
  promise.set_value(result);
  return result;
}

Result<void> BucketHolder::fetchSet(std::uint32_t bucket) {
  std::vector<std::uint32_t> set = requestSet(bucket);
  {
    std::lock_guard lock(mutex_);
    std::shuffle(set.begin(), set.end(), random_);
  }
  std::vector<std::future<Result<HttpAnswer>>> answers;
  for (std::uint32_t each : set) {
    answers.push_back(std::async(std::launch::async, [this, each] {
      return upstream_.call("GET", "/v1/buckets/" + bucketHex(each, bits_));
    }));
  }
  Result<void> own = fail(ErrorCode::kUnavailable, "not asked");
  for (std::size_t i = 0; i < set.size(); ++i) {
    auto answer = answers[i].get();
    // A failed answer (5xx or none) is never kept.
    Result<void> kept =
        answer ? keepAnswer(set[i], *answer) : Result<void>(std::unexpected(answer.error()));
    if (set[i] == bucket) {
      own = kept;
    } else if (!kept) {
      cacheSay("decoy bucket " + bucketHex(set[i], bits_) + ": " + kept.error().message);
    }
  }
  return own;
}

void BucketHolder::refuse(std::uint32_t bucket, const std::string& kind, const std::string& id,
                          const std::string& reason, const std::string& detail) {
  noteRefused(service_, kind + " " + id + " in bucket " + bucketHex(bucket, bits_), reason, detail);
}

Result<void> BucketHolder::keepAnswer(std::uint32_t bucket, const HttpAnswer& answer) {
  const Instant now = service_.clock->now();
  auto read = readBucketAnswer(answer.body, {bucket, bits_, wide_threshold_}, *service_.trust, now,
                               service_.store->spcMap());
  if (!read) return std::unexpected(read.error());
  const std::string hex = bucketHex(bucket, bits_);
  std::int64_t reached = service_.status->sequence();
  {
    std::lock_guard lock(mutex_);
    if (auto it = held_.find(bucket); it != held_.end())
      reached = std::max(reached, it->second.seq);
  }
  if (read->seq < reached) {
    std::string why = "bucket " + hex + " answered at sequence " + std::to_string(read->seq) +
                      ", before the " + std::to_string(reached) +
                      " already reached (rollback refused)";
    noteRollbackRefused(service_, why);
    return fail(ErrorCode::kMalformed, why);
  }
  for (const auto& refused : read->refused) {
    refuse(bucket, refused.kind, refused.id, refused.reason, refused.detail);
  }
  const std::chrono::seconds max_age = maxAgeOf(answer);

  std::lock_guard store(store_mutex_);
  std::vector<RecordName> members;
  for (const auto& key : read->keys) {
    auto stored = service_.store->insertKey(key, now, std::numeric_limits<std::size_t>::max());
    if (!stored) return std::unexpected(stored.error());
    members.emplace_back("key", key.id);
  }
  for (const auto& ad : read->ads) {
    auto stored = service_.advertisement_store->publishAdvertisement(ad, now);
    if (!stored && stored.error().code != ErrorCode::kExpired) {
      return std::unexpected(stored.error());
    }
    if (stored) members.emplace_back("ad", ad.id);
  }
  for (const auto& spc : read->spc) {
    auto stored = service_.feed->putSpcEntry(spc.entry, now);
    if (!stored) return std::unexpected(stored.error());
    members.emplace_back("spc", spc.id);
  }
  const Instant expires = now + max_age;
  auto orphaned = held_buckets_.hold({bucket, read->seq, expires}, members);
  if (!orphaned) return std::unexpected(orphaned.error());
  for (const auto& [kind, id] : *orphaned) {
    auto removed =
        service_.feed->removeRecord(kind, id, "withdrawn", "no held bucket names it now", now);
    if (!removed) return std::unexpected(removed.error());
  }
  std::lock_guard lock(mutex_);
  Entry& entry = held_[bucket];
  entry.seq = read->seq;
  entry.fetched = now;
  entry.expires = expires;
  // Ahead of expiry by 5 to 20% of the answer's life, so that buckets
  // fetched together are not refreshed together.
  entry.refresh_at =
      expires - std::chrono::seconds((long long)(max_age.count() * (0.05 + 0.15 * random01())));
  // A decoy is not in use until a lookup needs it: refreshing decoys would
  // fetch their decoys in turn.
  return {};
}

void BucketHolder::start() {
  refresher_.start([this] { refreshLoop(); });
}

void BucketHolder::stop() { refresher_.stop(); }

void BucketHolder::refreshLoop() {
  const std::chrono::seconds keep(service_.config.keep_seconds);
  for (;;) {
    std::vector<std::uint32_t> due;
    {
      const Instant now = service_.clock->now();
      std::lock_guard lock(mutex_);
      // While the directory is backed off, misses have told it already.
      const bool backed_off = failures_ > 0 && now < retry_after_;
      for (std::uint32_t bucket : backed_off ? std::set<std::uint32_t>{} : pinned_) {
        if (!held_.contains(bucket)) due.push_back(bucket);
      }
      for (const auto& [bucket, entry] : held_) {
        bool in_use = pinned_.contains(bucket) || now - entry.used <= keep;
        if (!backed_off && in_use && now >= entry.refresh_at && !in_flight_.contains(bucket)) {
          due.push_back(bucket);
        }
      }
    }
    for (std::uint32_t bucket : due) {
      if (refresher_.stopping()) return;
      if (auto fetched = fetchShared(bucket); !fetched) {
        cacheSay("refreshing bucket " + bucketHex(bucket, bits_) + ": " + fetched.error().message);
      }
    }
    if (!refresher_.sleep(std::chrono::seconds(1))) return;
  }
}

}  // namespace keydir
