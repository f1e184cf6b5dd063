#include "certs/prefix_block.h"

#include <gtest/gtest.h>

namespace keydir {
namespace {

std::vector<std::string> keys(const std::vector<PrefixBlock>& blocks) {
  std::vector<std::string> out;
  for (const auto& b : blocks) out.push_back(b.key());
  return out;
}

TEST(TileRange, AlignedHundredIsOneBlock) {
  EXPECT_EQ(keys(tileRange("12025550100", "12025550199")),
            std::vector<std::string>{"120255501/11"});
}

TEST(TileRange, UnalignedRangeUsesFewestBlocks) {
  // 15714341000-99 of the draft: 1000..1098 = 1000-1089 (nine tens) + 1090-1098 (nine ones).
  auto blocks = tileRange("15714341000", "15714341098");
  std::uint64_t total = 0;
  for (const auto& b : blocks) total += b.size();
  EXPECT_EQ(total, 99u);
  EXPECT_EQ(blocks.front().key(), "1571434100/11");
  EXPECT_EQ(blocks.size(), 9u + 9u);
  EXPECT_EQ(keys(tileRange("0995", "1004")),
            (std::vector<std::string>{"0995/4", "0996/4", "0997/4", "0998/4", "0999/4", "1000/4",
                                      "1001/4", "1002/4", "1003/4", "1004/4"}));
  EXPECT_EQ(keys(tileRange("0990", "1009")), (std::vector<std::string>{"099/4", "100/4"}));
}

TEST(TileRange, WholeNumberingSpaceOfALength) {
  EXPECT_EQ(keys(tileRange("000", "999")), std::vector<std::string>{"/3"});
  EXPECT_EQ(keys(tileRange("999999999999999", "999999999999999")),
            std::vector<std::string>{"999999999999999/15"});
}

TEST(TileRange, BlocksTileExactlyWithoutGaps) {
  auto blocks = tileRange("123456", "987654");
  std::string expected_next = "123456";
  for (const auto& b : blocks) {
    EXPECT_EQ(b.first(), expected_next);
    std::string after = std::to_string(std::stoull(b.last()) + 1);
    expected_next = std::string(6 - std::min<std::size_t>(6, after.size()), '0') + after;
  }
  EXPECT_EQ(blocks.back().last(), "987654");
}

TEST(BlocksContaining, AreTheNumbersPrefixes) {
  EXPECT_EQ(keys(blocksContaining("123")),
            (std::vector<std::string>{"/3", "1/3", "12/3", "123/3"}));
}

}  // namespace
}  // namespace keydir
