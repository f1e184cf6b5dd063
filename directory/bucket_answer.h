#pragma once
// A bucket answer (GET /v1/buckets/{hex}, docs/design.md section 7) as a cache in
// buckets mode reads it from a directory it does not trust: the answer must
// name the bucket asked for and its sequence, and each record is verified
// as the feed's are (feed_records.h) and must be narrow and touch the
// bucket. A record that fails is set aside with its reason; the rest may
// be kept. Nothing here stores anything.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "directory/feed_records.h"

namespace keydir {

struct RefusedRecord {
  std::string kind;  // key, ad or spc
  std::string id;    // as the answer named it, possibly empty
  std::string reason;
  std::string detail;
};

struct BucketSpcEntry {
  std::string id;  // the scope as the answer wrote it, the record's feed id
  SpcAssignment entry;
};

struct BucketAnswer {
  std::int64_t seq = 0;
  std::vector<NewKey> keys;
  std::vector<NewAdvertisement> ads;
  std::vector<BucketSpcEntry> spc;
  std::vector<RefusedRecord> refused;
};

struct BucketShape {
  std::uint32_t bucket = 0;
  int bits = 0;                  // the feed's bucket_bits
  long long wide_threshold = 0;  // past it a scope is wide, never in a bucket
};

// kMalformed when `text` is not an object naming the bucket (its hex) with
// an integer "seq"; otherwise every record is either in the answer or in
// `refused`.
Result<BucketAnswer> readBucketAnswer(std::string_view text, const BucketShape& shape,
                                      const TrustStore& trust, Instant now, const SpcMap& spc_map);

}  // namespace keydir
