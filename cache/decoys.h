#pragma once
// The decoy buckets fetched with a bucket (docs/design.md section 8): the first
// `count` distinct buckets other than `bucket` drawn from
// HMAC-SHA256(secret, bucket || i) for i = 0, 1, ..., each draw's first
// four bytes (big-endian) reduced to `bits` bits, with bucket and i as
// four big-endian bytes each. Fixed for a given secret, so repeated misses
// for one bucket ask for the same set and intersecting them reveals
// nothing.

#include <cstdint>
#include <string_view>
#include <vector>

namespace keydir {

std::vector<std::uint32_t> decoyBuckets(std::string_view secret, std::uint32_t bucket,
                                        std::size_t count, int bits);

}  // namespace keydir
