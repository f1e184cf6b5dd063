#include "cache/feed_poller.h"

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cache/backoff.h"
#include "cache/cache_log.h"
#include "cache/resnapshot.h"
#include "certs/json_fields.h"
#include "directory/feed_retention.h"

namespace keydir {
namespace {

std::string minutesAndSeconds(double seconds) {
  long long whole = (long long)seconds;
  return std::to_string(whole / 60) + " min " + std::to_string(whole % 60) + " s";
}

}  // namespace

FeedPoller::FeedPoller(CacheService& service, DirectoryClient& upstream, bool wide_only)
    : service_(service),
      upstream_(upstream),
      wide_only_(wide_only),
      follower_(upstream, static_cast<SqlKeyStore&>(*service.store),
                *service.advertisement_store, *service.feed, *service.trust, *service.clock,
                followerOptions(wide_only)) {}

FeedPoller::~FeedPoller() { stop(); }

FollowerOptions FeedPoller::followerOptions(bool wide_only) {
  FollowerOptions options;
  options.wide_only = wide_only;
  options.bulk_copy_cache_mib = service_.config.bulk_copy_cache_mib;
  options.on_refused = [this](const Refusal& refusal) {
    noteRefused(service_,
                refusal.what + " of " + refusal.kind + " " + refusal.id + " at sequence " +
                    std::to_string(refusal.seq),
                refusal.reason, refusal.detail);
  };
  options.on_rollback = [this](const std::string& why) { noteRollbackRefused(service_, why); };
  options.should_stop = [this] { return thread_.stopping(); };
  options.on_progress = [this, last = std::chrono::steady_clock::time_point()](
                            const FollowProgress& progress) mutable {
    // Only the first copy's snapshot is long enough to be worth reporting
    // (the changes after it count from their own start: no rate to show).
    if (!service_.status->empty() || progress.total == 0) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last < std::chrono::seconds(5)) return;
    last = now;
    double rate = progress.seconds > 0 ? progress.records / progress.seconds : 0;
    std::string line = "first copy: " + std::to_string(progress.records) + " records";
    if (progress.total > 0) line += " of about " + std::to_string(progress.total);
    line += ", " + std::to_string((long long)rate) + "/s";
    if (progress.total > progress.records && rate > 0) {
      line += ", about " + minutesAndSeconds((progress.total - progress.records) / rate) + " left";
    }
    cacheSay(line);
  };
  return options;
}

Result<SyncReport> FeedPoller::pollOnce() {
  // A first copy says how far it has come against what the directory holds.
  // Later polls need no meta: /v1/meta counts the live keys, which costs the
  // directory more than a changes page does.
  if (service_.status->empty()) {
    auto meta = upstream_.call("GET", "/v1/meta");
    if (!meta) return std::unexpected(meta.error());
    auto body = nlohmann::json::parse(meta->body, nullptr, false);
    if (body.is_object()) {
      follower_.setExpectedRecords(fieldOr(body, "keys", std::int64_t(0)) +
                                   fieldOr(body, "spc_map_entries", std::int64_t(0)));
    }
  }
  auto report = follower_.sync();
  if (!report && report.error().code == ErrorCode::kBadSignature) {
    // The feed and what it gave disagree: keep serving what was verified,
    // and check everything again from a fresh snapshot. A mirror takes it
    // aside and swaps it in whole; a buckets cache's wide records are few
    // and its held buckets live in the same file, so it re-snapshots them
    // in place, dropping what the snapshot lacks only once it checks out.
    service_.cache_metrics->countDigestMismatch();
    cacheSay(report.error().message);
    report = wide_only_ ? follower_.takeSnapshot()
                        : resnapshotAside(service_, upstream_, followerOptions(false));
  }
  if (!report) return report;
  const Instant now = service_.clock->now();
  // The changes pages run up to the directory's present: what it had is
  // what was reached.
  service_.status->pollSucceeded(now, report->sequence, report->sequence);
  if (auto saved = service_.cache_store->setLastGoodPoll(now); !saved) {
    cacheSay("could not note the poll's time: " + saved.error().message);
  }
  // The copy keeps what has left it as long as a directory keeps it.
  auto forgotten = forgetPastRetention(
      *service_.feed, now, std::chrono::seconds(service_.config.feed_retention_seconds));
  if (!forgotten) {
    cacheSay("could not forget what is past retention: " + forgotten.error().message);
  } else if (auto note = forgettingBacklogNote(*forgotten); !note.empty()) {
    cacheSay(note);
  }
  return report;
}

void FeedPoller::start() {
  thread_.start([this] { run(); });
}

void FeedPoller::stop() { thread_.stop(); }

double FeedPoller::random01() { return std::uniform_real_distribution<double>(0, 1)(random_); }

void FeedPoller::run() {
  const DirectoryConfig& config = service_.config;
  const double period = double(config.poll_seconds);
  if (service_.status->empty()) {
    cacheSay("no copy of the directory yet: taking one from " + config.upstream);
  } else if (!thread_.sleep(std::chrono::duration<double>(random01() * period))) {
    return;
  }
  int failures = 0;
  for (;;) {
    const bool first = service_.status->empty();
    auto started = std::chrono::steady_clock::now();
    auto polled = pollOnce();
    if (polled) {
      if (first) {
        double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        cacheSay("first copy done: " + std::to_string(polled->applied) + " records in " +
                 minutesAndSeconds(seconds) + ", at sequence " + std::to_string(polled->sequence));
      }
      failures = 0;
      if (!thread_.sleep(std::chrono::duration<double>(jitteredSeconds(period, random01())))) {
        return;
      }
      continue;
    }
    ++failures;
    service_.status->pollFailed(polled.error().message);
    double delay = backoffSeconds(failures, config.backoff_base_seconds, config.backoff_max_seconds,
                                  random01());
    cacheSay("poll failed (" + std::to_string(failures) + " in a row, next in " +
             std::to_string((long long)delay) + " s): " + polled.error().message);
    if (!thread_.sleep(std::chrono::duration<double>(delay))) return;
  }
}

}  // namespace keydir
