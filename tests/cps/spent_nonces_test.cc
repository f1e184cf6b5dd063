// The spent nonces of one storage-token key: each is new once and held
// after, through every growth of the table and while a growth moves it;
// what is kept of a nonce is its first 16 bytes, the all-zero one among
// them; and the table's size follows what it holds.

#include "cps/spent_nonces.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace keydir {
namespace {

std::vector<std::string> randomNonces(std::size_t count, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<std::string> nonces(count, std::string(32, '\0'));
  for (auto& nonce : nonces) {
    for (auto& byte : nonce) byte = char(random());
  }
  return nonces;
}

TEST(SpentNonces, ANonceIsNewOnceAndHeldThroughEveryGrowth) {
  SpentNonces spent(7);
  const auto nonces = randomNonces(100000, 1);
  for (const auto& nonce : nonces) ASSERT_TRUE(spent.insert(nonce));
  EXPECT_EQ(spent.size(), nonces.size());
  // Grown from 1,024 slots to 131,072 (seven of eight at most used): every
  // nonce moved several times, and each is still found.
  EXPECT_EQ(spent.bytesHeld(), std::size_t(131072) * 16);
  for (const auto& nonce : nonces) ASSERT_FALSE(spent.insert(nonce));
  EXPECT_EQ(spent.size(), nonces.size());
  for (const auto& nonce : randomNonces(1000, 2)) EXPECT_TRUE(spent.insert(nonce));
}

TEST(SpentNonces, WhatHasNotYetMovedToTheLargerTableIsStillFound) {
  SpentNonces spent(7);
  const auto nonces = randomNonces(897, 4);
  for (std::size_t index = 0; index < 896; ++index) ASSERT_TRUE(spent.insert(nonces[index]));
  EXPECT_EQ(spent.bytesHeld(), std::size_t(1024) * 16);
  // The 897th passes seven eighths of 1,024 slots: a table of 2,048 is
  // made and the 1,024 move eight at an insert, both held meanwhile.
  ASSERT_TRUE(spent.insert(nonces[896]));
  EXPECT_EQ(spent.bytesHeld(), std::size_t(1024 + 2048) * 16);
  // Asked from the last (the furthest from moving) to the first, each
  // ask moving eight more: every one is found, wherever it is by then.
  for (std::size_t index = nonces.size(); index-- > 0;) {
    ASSERT_FALSE(spent.insert(nonces[index])) << "nonce " << index;
  }
  EXPECT_EQ(spent.size(), 897u);
  EXPECT_EQ(spent.bytesHeld(), std::size_t(2048) * 16) << "the move is done; the smaller let go";
  for (const auto& nonce : nonces) ASSERT_FALSE(spent.insert(nonce));
}

TEST(SpentNonces, NoncesAlikeButForOneByteAreTwoWhateverTheSeed) {
  // A client picks its nonces: runs of near neighbours must not be taken
  // for one another, under any seed.
  for (std::uint64_t seed : {0ULL, 1ULL, ~0ULL}) {
    SpentNonces spent(seed);
    std::string nonce(32, 'n');
    EXPECT_TRUE(spent.insert(nonce));
    for (int byte = 0; byte < 16; ++byte) {
      for (int value = 0; value < 256; value += 51) {
        std::string near = nonce;
        near[byte] = char(value);
        ASSERT_TRUE(spent.insert(near)) << "byte " << byte << " set to " << value;
      }
    }
    EXPECT_EQ(spent.size(), 16u * 6 + 1) << "six values of each byte, and the nonce itself";
  }
}

TEST(SpentNonces, OnlyTheFirstSixteenBytesAreKept) {
  SpentNonces spent(7);
  std::string nonce(32, 'a');
  EXPECT_TRUE(spent.insert(nonce));
  nonce[31] = 'b';
  EXPECT_FALSE(spent.insert(nonce)) << "the same first 16 bytes: taken for the same nonce";
  nonce[15] = 'b';
  EXPECT_TRUE(spent.insert(nonce));
  EXPECT_TRUE(spent.insert(std::string(16, 'c'))) << "16 bytes are enough";
}

TEST(SpentNonces, TheAllZeroNonceIsHeldLikeAnyOther) {
  // Its 16 bytes are what marks a free slot, so it is held apart.
  SpentNonces spent(7);
  const std::string zero(32, '\0');
  EXPECT_TRUE(spent.insert(zero));
  EXPECT_FALSE(spent.insert(zero));
  for (const auto& nonce : randomNonces(5000, 3)) ASSERT_TRUE(spent.insert(nonce));
  EXPECT_FALSE(spent.insert(zero));
  EXPECT_EQ(spent.size(), 5001u);
}

TEST(SpentNonces, ANonceShorterThanSixteenBytesIsTheCallersMistake) {
  SpentNonces spent(7);
  EXPECT_THROW(spent.insert(std::string(15, 'a')), std::invalid_argument);
  EXPECT_EQ(spent.size(), 0u);
  EXPECT_EQ(spent.bytesHeld(), 0u) << "nothing is held before the first nonce";
}

}  // namespace
}  // namespace keydir
