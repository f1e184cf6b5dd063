#include "certs/tn_scope.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace keydir {
namespace {

TEST(TnScope, ParsesAndPrintsEachKind) {
  for (const char* text : {"0-1234", "0-567J", "1-15714341000-99", "2-12025550100"}) {
    auto scope = TnScope::parse(text);
    ASSERT_TRUE(scope) << scope.error().message;
    EXPECT_EQ(scope->toString(), text);
  }
  auto range = TnScope::parse("1-15714341000-99").value();
  EXPECT_EQ(range.kind(), TnScope::Kind::kRange);
  EXPECT_EQ(range.last(), "15714341098");
}

TEST(TnScope, RejectsMalformedScopes) {
  struct Case {
    const char* text;
    const char* says;
  };
  for (const Case& c : {
           Case{"", "expected 0-"},
           Case{"3-123", "unknown kind"},
           Case{"0-", "expected 0-"},
           Case{"0-12 4", "letters or digits"},
           Case{"2-12a", "1 to 15 digits"},
           Case{"2-1234567890123456", "1 to 15 digits"},
           Case{"1-100", "<start>-<count>"},
           Case{"1-100-1", "below 2"},
           Case{"1-100-x", "not a decimal"},
           Case{"1-100--2", "not a decimal"},
           Case{"1-999-2", "leaves its 3-digit length"},
           Case{"1-100-18446744073709551615", "leaves its 3-digit length"},
       }) {
    auto scope = TnScope::parse(c.text);
    ASSERT_FALSE(scope) << c.text;
    EXPECT_EQ(scope.error().code, ErrorCode::kMalformed);
    EXPECT_NE(scope.error().message.find(c.says), std::string::npos) << scope.error().message;
  }
}

TEST(TnScope, RangeDoesNotCrossDigitLength) {
  auto range = TnScope::parse("1-990-10").value();
  EXPECT_TRUE(range.holdsNumber("990"));
  EXPECT_TRUE(range.holdsNumber("999"));
  EXPECT_FALSE(range.holdsNumber("989"));
  EXPECT_FALSE(range.holdsNumber("1000"));
  EXPECT_FALSE(range.holdsNumber("0990"));
}

TEST(TnScope, RangeHoldsItsEndsAndNotTheirNeighbours) {
  auto range = TnScope::parse("1-12025550100-100").value();
  EXPECT_TRUE(range.holdsNumber("12025550100"));
  EXPECT_TRUE(range.holdsNumber("12025550199"));
  EXPECT_FALSE(range.holdsNumber("12025550099"));
  EXPECT_FALSE(range.holdsNumber("12025550200"));
}

TEST(TnScope, SortsMostSpecificFirst) {
  std::vector<TnScope> scopes =
      parseScopes({"0-1234", "1-1202555-100", "2-1202555", "1-1202555-10"}).value();
  std::sort(scopes.begin(), scopes.end(), moreSpecific);
  EXPECT_EQ(scopeStrings(scopes),
            (std::vector<std::string>{"2-1202555", "1-1202555-10", "1-1202555-100", "0-1234"}));
}

TEST(TnScope, ParseScopesNamesTheBadEntry) {
  auto scopes = parseScopes({"2-1", "2-x"});
  ASSERT_FALSE(scopes);
  EXPECT_NE(scopes.error().message.find("entry 2"), std::string::npos);
}

}  // namespace
}  // namespace keydir
