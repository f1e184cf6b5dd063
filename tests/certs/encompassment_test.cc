#include "certs/encompassment.h"

#include <gtest/gtest.h>

#include <sstream>

#include "certs/in_memory_spc_map.h"

namespace keydir {
namespace {

std::vector<TnScope> scopes(std::vector<std::string> texts) { return parseScopes(texts).value(); }

InMemorySpcMap sampleMap() {
  // Carrier 1234 holds a 10k block, but one number in it was ported to 5678,
  // which also holds a separate hundred.
  InMemorySpcMap map;
  std::istringstream csv(
      "# scope,spc\n"
      "1-12025550000-10000,1234\n"
      "2-12025550042,5678\n"
      "1-13125550100-100,5678\n");
  EXPECT_EQ(map.loadCsv(csv).value(), 3u);
  return map;
}

TEST(ScopeContains, SpcGoesThroughMostSpecificMapEntry) {
  InMemorySpcMap map = sampleMap();
  auto carrier = TnScope::parse("0-1234").value();
  auto other = TnScope::parse("0-5678").value();
  EXPECT_TRUE(scopeContains(carrier, "12025550041", &map));
  EXPECT_FALSE(scopeContains(carrier, "12025550042", &map));  // ported out
  EXPECT_TRUE(scopeContains(other, "12025550042", &map));
  EXPECT_FALSE(scopeContains(carrier, "19995550000", &map));
  EXPECT_FALSE(scopeContains(carrier, "12025550041", nullptr));  // no map: nothing
}

TEST(Encompassment, RangeInsideRangeAndNumbersInside) {
  EXPECT_TRUE(checkEncompassed(scopes({"1-12025550100-50", "2-12025550199"}),
                               scopes({"1-12025550100-100"}), nullptr));
}

TEST(Encompassment, UnionOfUpperEntriesCanCoverOneLowerRange) {
  EXPECT_TRUE(checkEncompassed(scopes({"1-1000-20"}), scopes({"1-1000-10", "1-1010-10"}), nullptr));
  auto gap = checkEncompassed(scopes({"1-1000-21"}), scopes({"1-1000-10", "1-1010-10"}), nullptr);
  ASSERT_FALSE(gap);
  EXPECT_EQ(gap.error().code, ErrorCode::kNotAuthorized);
  EXPECT_NE(gap.error().message.find("1020"), std::string::npos) << gap.error().message;
}

TEST(Encompassment, LowerClaimingMoreIsNotAuthorized) {
  auto wider =
      checkEncompassed(scopes({"1-12025550100-101"}), scopes({"1-12025550100-100"}), nullptr);
  ASSERT_FALSE(wider);
  EXPECT_EQ(wider.error().code, ErrorCode::kNotAuthorized);
  EXPECT_NE(wider.error().message.find("1-12025550100-101"), std::string::npos);
  EXPECT_FALSE(checkEncompassed(scopes({"2-1202555010"}), scopes({"1-12025550100-100"}), nullptr));
}

TEST(Encompassment, SameSpcNeedsNoMap) {
  EXPECT_TRUE(checkEncompassed(scopes({"0-1234"}), scopes({"0-1234"}), nullptr));
}

TEST(Encompassment, RangeUnderSpcResolvesThroughMap) {
  InMemorySpcMap map = sampleMap();
  EXPECT_TRUE(checkEncompassed(scopes({"1-12025550100-100"}), scopes({"0-1234"}), &map));
  // The range 12025550000-99 holds the ported number 12025550042.
  auto ported = checkEncompassed(scopes({"1-12025550000-100"}), scopes({"0-1234"}), &map);
  ASSERT_FALSE(ported);
  EXPECT_NE(ported.error().message.find("12025550042"), std::string::npos)
      << ported.error().message;
  EXPECT_TRUE(checkEncompassed(scopes({"2-12025550042"}), scopes({"0-5678"}), &map));
  EXPECT_FALSE(checkEncompassed(scopes({"1-12025550100-100"}), scopes({"0-1234"}), nullptr));
}

TEST(Encompassment, SpcUnderRangesNeedsAllItsNumbersInside) {
  InMemorySpcMap map = sampleMap();
  // 5678 = 12025550042 and 13125550100-199.
  EXPECT_TRUE(
      checkEncompassed(scopes({"0-5678"}), scopes({"2-12025550042", "1-13125550100-100"}), &map));
  EXPECT_FALSE(checkEncompassed(scopes({"0-5678"}), scopes({"1-13125550100-100"}), &map));
  // 1234 = the 10k block less the ported number: the block minus it suffices.
  EXPECT_TRUE(checkEncompassed(scopes({"0-1234"}),
                               scopes({"1-12025550000-42", "1-12025550043-9957"}), &map));
}

TEST(Encompassment, UnknownSpcProvesNothing) {
  InMemorySpcMap map = sampleMap();
  auto unknown = checkEncompassed(scopes({"0-9999"}), scopes({"0-1234"}), &map);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotAuthorized);
  EXPECT_NE(unknown.error().message.find("no numbers for SPC 9999"), std::string::npos);
}

TEST(SpcMapCsv, BadLineAddsNothingAndSaysWhere) {
  InMemorySpcMap map;
  std::istringstream csv("1-12025550000-100,1234\n0-1234,5678\n");
  auto loaded = map.loadCsv(csv);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, ErrorCode::kMalformed);
  EXPECT_NE(loaded.error().message.find("line 2"), std::string::npos);
  EXPECT_FALSE(map.spcOf("12025550001"));
  std::istringstream no_comma("2-1202\n");
  EXPECT_NE(map.loadCsv(no_comma).error().message.find("no comma"), std::string::npos);
}

}  // namespace
}  // namespace keydir
