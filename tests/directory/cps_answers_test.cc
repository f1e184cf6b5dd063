// The CPS lookups' held answers (directory/cps_answers.h) on their own:
// what a change refuses, when an answer lapses, that numbers with the
// same answer share it, and how the bound makes room.
#include "directory/cps_answers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace keydir {
namespace {

using std::chrono::hours;

const Instant kNow = Instant(std::chrono::seconds(1'800'000'000));

TEST(CpsAnswersTest, AnAnswerMadeBeforeAChangeIsNotKept) {
  CpsAnswers answers(std::size_t(1) << 20);
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
  CpsAnswers answers(std::size_t(1) << 20);
  answers.keep("12025550150", answers.generation(), "{\"cps\":[{}", kNow + hours(1));
  CpsAnswers::Answer found;
  EXPECT_TRUE(answers.copy("12025550150", kNow + hours(1) - std::chrono::seconds(1), found));
  EXPECT_EQ(found.expires, kNow + hours(1));
  EXPECT_FALSE(answers.copy("12025550150", kNow + hours(1), found));
}

TEST(CpsAnswersTest, NumbersWithTheSameAnswerShareIt) {
  CpsAnswers answers(std::size_t(1) << 20);
  const std::uint64_t now = answers.generation();
  const std::string head = "{\"cps\":[{\"x\":1}";
  for (const char* tn : {"12025550150", "12025550151", "12025550152"}) {
    answers.keep(tn, now, head, std::nullopt);
  }
  CpsAnswers::Answer first, second;
  ASSERT_TRUE(answers.copy("12025550150", kNow, first));
  ASSERT_TRUE(answers.copy("12025550152", kNow, second));
  EXPECT_EQ(first.head.get(), second.head.get()) << "one string for one answer";
  EXPECT_EQ(answers.bytes(),
            3 * CpsAnswers::kBytesANumber + CpsAnswers::kBytesAnAnswer + head.size());
  answers.keep("12025550151", now, head, std::nullopt);
  EXPECT_EQ(answers.count(), 3u) << "kept again, not twice";
}

TEST(CpsAnswersTest, PastItsBoundANumberMakesRoomAndAnAnswerGoesWithItsLastNumber) {
  const std::string shared = "{\"cps\":[{\"x\":1}";
  const std::string other = "{\"cps\":[";
  const std::size_t bound =
      4 * CpsAnswers::kBytesANumber + 2 * CpsAnswers::kBytesAnAnswer + shared.size() + other.size();
  CpsAnswers answers(bound);
  const std::uint64_t now = answers.generation();
  const std::vector<std::string> first = {"12025550150", "12025550151", "12025550152"};
  for (const std::string& tn : first) answers.keep(tn, now, shared, std::nullopt);
  answers.keep("12025550153", now, other, std::nullopt);
  EXPECT_EQ(answers.count(), 4u);
  EXPECT_EQ(answers.bytes(), bound) << "full, and nothing dropped yet";

  // Each number kept past the bound drops one, never everything: a table
  // larger than the bound keeps as many as fit.
  auto holds = [&](const std::string& tn) {
    CpsAnswers::Answer found;
    return answers.copy(tn, kNow, found);
  };
  auto holds_any_first = [&] { return std::any_of(first.begin(), first.end(), holds); };
  int kept = 0;
  for (; kept < 1000 && holds_any_first(); ++kept) {
    answers.keep(std::to_string(13025550000 + kept), now, other, std::nullopt);
    EXPECT_LE(answers.bytes(), bound);
    EXPECT_GE(answers.count(), 3u);
  }
  ASSERT_LT(kept, 1000) << "the hand never reached the first numbers";
  // The shared answer went with the last number that referred to it.
  EXPECT_EQ(answers.bytes(), answers.count() * CpsAnswers::kBytesANumber +
                                 CpsAnswers::kBytesAnAnswer + other.size());
  EXPECT_TRUE(holds(std::to_string(13025550000 + kept - 1))) << "the last kept stays";
}

TEST(CpsAnswersTest, AnAnswerLargerThanTheBoundIsNotKeptAndDropsNothing) {
  CpsAnswers answers(CpsAnswers::kBytesANumber + CpsAnswers::kBytesAnAnswer + 16);
  answers.keep("12025550150", answers.generation(), "{\"cps\":[", std::nullopt);
  answers.keep("12025550151", answers.generation(), std::string(17, 'x'), std::nullopt);
  EXPECT_EQ(answers.count(), 1u);
  CpsAnswers::Answer found;
  EXPECT_TRUE(answers.copy("12025550150", kNow, found));
  EXPECT_FALSE(answers.copy("12025550151", kNow, found));
}

}  // namespace
}  // namespace keydir
