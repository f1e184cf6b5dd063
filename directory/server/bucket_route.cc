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
  // Tagged before padding: hashing the padding would cost more than the query.
  std::string unpadded = bucketJson(exchange.param(0), *contents);
  std::string tag = unpadded + std::to_string(config.bucket_pad_bytes);
  exchange.sendCacheableJson(padBucketJson(std::move(unpadded), config.bucket_pad_bytes), max_age,
                             tag);
}

}  // namespace keydir
