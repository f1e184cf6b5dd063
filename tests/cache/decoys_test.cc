// The decoy buckets and the waits between polls and retries (docs/design.md
// section 8), with randomness fixed by the test.

#include "cache/decoys.h"

#include <gtest/gtest.h>

#include <set>

#include "cache/backoff.h"

namespace keydir {
namespace {

TEST(DecoysTest, AreFixedBySecretDistinctAndNeverTheBucketItself) {
  const std::string secret(64, 'a');
  for (std::uint32_t bucket : {0u, 1u, 0xabcdu, 0xffffu}) {
    auto decoys = decoyBuckets(secret, bucket, 3, 16);
    ASSERT_EQ(decoys.size(), 3u);
    EXPECT_EQ(decoys, decoyBuckets(secret, bucket, 3, 16)) << "the same set every time";
    std::set<std::uint32_t> distinct(decoys.begin(), decoys.end());
    EXPECT_EQ(distinct.size(), 3u);
    EXPECT_FALSE(distinct.contains(bucket));
    for (auto decoy : decoys) EXPECT_LT(decoy, 1u << 16);
  }
  EXPECT_NE(decoyBuckets(secret, 7, 3, 16), decoyBuckets(std::string(64, 'b'), 7, 3, 16))
      << "another cache, another set";
}

TEST(DecoysTest, NeverAskForMoreThanTheOtherBuckets) {
  auto decoys = decoyBuckets("s", 3, 1000, 8);
  EXPECT_EQ(decoys.size(), 255u);
  EXPECT_EQ(std::set<std::uint32_t>(decoys.begin(), decoys.end()).size(), 255u);
}

TEST(BackoffTest, DoublesFromTheBaseUpToTheMaximumTimesOneToTwo) {
  EXPECT_DOUBLE_EQ(backoffSeconds(1, 1, 300, 0), 1);
  EXPECT_DOUBLE_EQ(backoffSeconds(2, 1, 300, 0), 2);
  EXPECT_DOUBLE_EQ(backoffSeconds(5, 1, 300, 0.5), 24);
  EXPECT_DOUBLE_EQ(backoffSeconds(20, 1, 300, 0), 300);
  EXPECT_DOUBLE_EQ(backoffSeconds(20, 1, 300, 0.999), 300 * 1.999);
}

TEST(BackoffTest, PollsAreJitteredByTwentyPercent) {
  EXPECT_DOUBLE_EQ(jitteredSeconds(30, 0), 24);
  EXPECT_DOUBLE_EQ(jitteredSeconds(30, 0.5), 30);
  EXPECT_NEAR(jitteredSeconds(30, 0.9999), 36, 0.01);
}

}  // namespace
}  // namespace keydir
