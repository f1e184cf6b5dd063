#include <nlohmann/json.hpp>

#include "cache/bucket_holder.h"
#include "cache/routes.h"
#include "directory/feed_follower.h"
#include "directory/store/feed_hashes.h"

namespace keydir {

void serveCacheMeta(Exchange& exchange) {
  CacheService& service = cache(exchange);
  auto feed = service.feed->status();
  if (!feed) return exchange.sendProblem(feed.error());
  auto received = receivedDigest(*service.feed);
  if (!received) return exchange.sendProblem(received.error());
  // Until the first copy is whole nothing is served, whatever the replica
  // holds so far: the digests say so (the digest of nothing), so that a
  // monitor comparing them with the directory's never sees an empty cache
  // as in sync.
  const bool serving = !service.status->empty();
  const std::string nothing = digestHex(Digest{});
  const Instant now = exchange.now();
  auto last = service.status->lastGoodPoll();
  nlohmann::json meta = {
      {"version", KEYDIR_VERSION},
      {"api", "v1"},
      {"role", "cache"},
      {"mode", service.config.mode},
      {"upstream", service.config.upstream},
      {"sequence", service.status->sequence()},
      {"upstream_sequence", service.status->upstreamSequence()},
      // Of what the feed gave at that sequence, held and refused alike.
      {"digest", serving ? *received : nothing},
      {"wide_digest", serving ? feed->wide_digest : nothing},
      {"first_copy_done", serving},
      {"stale", service.status->stale(now)},
      {"last_good_poll", last ? nlohmann::json(rfc3339(*last)) : nlohmann::json(nullptr)},
      {"refused", service.status->refused()},
      {"poll_seconds", service.config.poll_seconds},
      {"max_staleness_seconds", service.config.effectiveMaxStalenessSeconds()}};
  if (service.buckets != nullptr) {
    meta["decoys"] = service.config.decoys;
    meta["buckets_held"] = service.buckets->heldCount();
  }
  exchange.sendJson(200, meta.dump());
}

}  // namespace keydir
