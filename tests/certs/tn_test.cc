#include "certs/tn.h"

#include <gtest/gtest.h>

namespace keydir {
namespace {

TEST(CanonicalTn, StripsPlusAndSeparators) {
  EXPECT_EQ(canonicalTn("+1 (202) 555-0100").value(), "12025550100");
  EXPECT_EQ(canonicalTn("44.20.7946.0000").value(), "442079460000");
  EXPECT_EQ(canonicalTn("1").value(), "1");
  EXPECT_EQ(canonicalTn("123456789012345").value(), "123456789012345");
}

TEST(CanonicalTn, RejectsWhatIsNotANumber) {
  struct Case {
    const char* input;
    const char* says;
  };
  for (const Case& c : {Case{"", "no digits"}, Case{"+", "no digits"},
                        Case{"1234567890123456", "at most 15"}, Case{"12a4", "'a' at position 3"},
                        Case{"1+2", "'+'"}, Case{"12#3", "'#'"}, Case{"++12", "'+'"}}) {
    auto tn = canonicalTn(c.input);
    ASSERT_FALSE(tn) << c.input;
    EXPECT_EQ(tn.error().code, ErrorCode::kInvalidTn) << c.input;
    EXPECT_NE(tn.error().message.find(c.says), std::string::npos) << tn.error().message;
  }
}

}  // namespace
}  // namespace keydir
