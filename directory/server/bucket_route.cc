#include "directory/feed_format.h"
#include "directory/server/routes.h"
#include "directory/store/feed_hashes.h"

namespace keydir {

void serveBucket(Exchange& exchange) {
  const DirectoryConfig& config = directory(exchange).config;
  auto bucket = parseBucketHex(exchange.param(0), config.bucket_bits);
  if (!bucket) return exchange.sendProblem(bucket.error());
  auto contents = directory(exchange).feed->bucket(*bucket);
  if (!contents) return exchange.sendProblem(contents.error());
  auto max_age = std::chrono::seconds(config.bucket_max_age_seconds);
  if (contents->earliest_expiry) {
    max_age = std::min(max_age, std::chrono::duration_cast<std::chrono::seconds>(
                                    *contents->earliest_expiry - exchange.now()));
  }
  // Tagged by what names the contents rather than by the contents: hashing
  // some 35 KB per answer cost a tenth of the server's time at 1M keys.
  const std::string tag = exchange.param(0) + "/" + std::to_string(contents->seq) + "/" +
                          contents->digest + "/" + std::to_string(config.wide_threshold) + "/" +
                          std::to_string(config.bucket_pad_bytes);
  const BucketJson json = bucketJson(exchange.param(0), *contents, config.bucket_pad_bytes);
  exchange.sendTaggedJson(json.pieces(), max_age, etagFor(tag));
}

}  // namespace keydir
