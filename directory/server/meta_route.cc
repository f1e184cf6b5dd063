#include <nlohmann/json.hpp>

#include "directory/feed_format.h"
#include "directory/server/routes.h"

namespace keydir {
namespace {

// The envelope every bucket answer at `sequence` wraps around its records.
BucketContents emptyBucketAt(std::int64_t sequence) {
  BucketContents empty;
  empty.seq = sequence;
  return empty;
}

}  // namespace

void serveMeta(Exchange& exchange) {
  const DirectoryConfig& config = directory(exchange).config;
  auto counts = directory(exchange).counts(exchange.now());
  if (!counts) return exchange.sendProblem(counts.error());
  auto feed = directory(exchange).feed->status();
  if (!feed) return exchange.sendProblem(feed.error());
  nlohmann::json meta = {
      {"version", KEYDIR_VERSION},
      {"api", "v1"},
      {"role", "directory"},
      {"sequence", feed->sequence},
      {"digest", feed->digest},
      {"wide_digest", feed->wide_digest},
      {"keys", counts->keys},
      {"spc_map_entries", counts->spc_entries},
      {"bucket_bits", config.bucket_bits},
      {"wide_threshold", config.wide_threshold},
      {"bucket_pad_bytes", config.bucket_pad_bytes},
      {"bucket_max_age_seconds", config.bucket_max_age_seconds},
      // The fullest bucket's answer before padding: its records and the
      // envelope around them.
      {"largest_bucket_bytes",
       feed->largest_bucket_bytes == 0
           ? 0
           : feed->largest_bucket_bytes +
                 std::int64_t(bucketJson(std::string(std::size_t(config.bucket_bits / 4), '0'),
                                         emptyBucketAt(feed->sequence))
                                  .size())},
      {"feed_retention_seconds", config.feed_retention_seconds},
      {"oldest_since", feed->oldest_since},
      {"expiry_sweep_seconds", config.expiry_sweep_seconds},
      // How long another directory process's write may take to reach this
      // one's lookup answers (one shared PostgreSQL database); a process's
      // own writes reach them at once.
      {"peer_poll_ms", config.peer_poll_ms},
      {"limits",
       {{"max_body_bytes", config.max_body_bytes},
        {"max_chain_length", config.max_chain_length},
        {"max_keys_per_signer_scope", config.max_keys_per_signer_scope},
        {"max_advertisement_pairs", config.max_advertisement_pairs},
        {"max_credential_validity_seconds", config.max_credential_validity_seconds},
        {"revocation_window_seconds", config.revocation_window_seconds},
        {"write_rate_per_second", config.write_rate_per_second},
        {"write_burst", config.write_burst}}}};
  exchange.sendJson(200, meta.dump());
}

}  // namespace keydir
