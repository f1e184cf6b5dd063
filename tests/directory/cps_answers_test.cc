// The CPS lookups' held answers (directory/cps_answers.h) on their own:
// what a change refuses, when an answer lapses, and that numbers with the
// same answer share it.
#include "directory/cps_answers.h"

#include <gtest/gtest.h>

namespace keydir {
namespace {

using std::chrono::hours;

const Instant kNow = Instant(std::chrono::seconds(1'800'000'000));

TEST(CpsAnswersTest, AnAnswerMadeBeforeAChangeIsNotKept) {
  CpsAnswers answers(100);
  const std::uint64_t before = answers.generation();
  answers.advance();
  answers.keep("12025550150", before, "{\"cps\":[", std::nullopt);
  CpsAnswers::Answer found;
  EXPECT_FALSE(answers.copy("12025550150", kNow, found));
  answers.keep("12025550150", answers.generation(), "{\"cps\":[", std::nullopt);
  ASSERT_TRUE(answers.copy("12025550150", kNow, found));
  EXPECT_EQ(CpsAnswers::finish(*found.head, "12025550150"), R"({"cps":[],"tn":"12025550150"})");
  answers.advance();
  EXPECT_FALSE(answers.copy("12025550150", kNow, found)) << "a change drops every answer";
  EXPECT_EQ(answers.count(), 0u);
}

TEST(CpsAnswersTest, AnAnswerLapsesWithItsFirstAdvertisement) {
  CpsAnswers answers(100);
  answers.keep("12025550150", answers.generation(), "{\"cps\":[{}", kNow + hours(1));
  CpsAnswers::Answer found;
  EXPECT_TRUE(answers.copy("12025550150", kNow + hours(1) - std::chrono::seconds(1), found));
  EXPECT_EQ(found.expires, kNow + hours(1));
  EXPECT_FALSE(answers.copy("12025550150", kNow + hours(1), found));
}

TEST(CpsAnswersTest, NumbersWithTheSameAnswerShareItAndTheBoundStartsAfresh) {
  CpsAnswers answers(3);
  const std::uint64_t now = answers.generation();
  for (const char* tn : {"12025550150", "12025550151", "12025550152"}) {
    answers.keep(tn, now, "{\"cps\":[{\"x\":1}", std::nullopt);
  }
  CpsAnswers::Answer first, second;
  ASSERT_TRUE(answers.copy("12025550150", kNow, first));
  ASSERT_TRUE(answers.copy("12025550152", kNow, second));
  EXPECT_EQ(first.head.get(), second.head.get()) << "one string for one answer";
  answers.keep("12025550153", now, "{\"cps\":[", std::nullopt);
  EXPECT_EQ(answers.count(), 1u) << "past the bound every answer went and holding began again";
  EXPECT_FALSE(answers.copy("12025550150", kNow, first));
  EXPECT_TRUE(answers.copy("12025550153", kNow, first));
}

}  // namespace
}  // namespace keydir
