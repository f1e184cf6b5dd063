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
  exchange.sendCacheableJson(bucketJson(exchange.param(0), *contents, config.bucket_pad_bytes),
                             max_age);
}

}  // namespace keydir
