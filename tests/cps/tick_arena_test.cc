// The arena a CPS keeps its entries' bytes in: copies come back exact
// whatever their size and however many blocks a tick takes, a tick's
// bytes stay until it is released and no later, and released blocks are
// reused up to the limit and given back past it.

#include "cps/tick_arena.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace keydir {
namespace {

std::string patterned(std::size_t length, char first) {
  std::string text(length, '\0');
  for (std::size_t index = 0; index < length; ++index) text[index] = char(first + index % 61);
  return text;
}

TEST(TickArena, CopiesComeBackExactAcrossBlocksAndSizes) {
  TickArena arena;
  std::vector<std::pair<std::string, std::string_view>> copies;
  // About 10 MiB in one tick: the small first block, then several of 2 MiB,
  // with an entry larger than the first block among them.
  for (int index = 0; index < 5000; ++index) {
    const std::size_t length = index == 7 ? TickArena::kFirstBlockBytes + 1000 : 1800 + index % 300;
    std::string original = patterned(length, char('A' + index % 20));
    copies.emplace_back(original, std::string_view());
    copies.back().second = arena.copy(100, copies.back().first);
  }
  copies.emplace_back("", arena.copy(100, ""));
  for (const auto& [original, copy] : copies) ASSERT_EQ(copy, original);
  EXPECT_GE(arena.bytesHeld(), std::size_t(10) << 20);
}

TEST(TickArena, ATickIsReleasedWholeAndLaterTicksAreKept) {
  TickArena arena(0);  // nothing kept free: every released block goes back
  std::vector<std::string_view> kept;
  for (long long tick = 10; tick < 14; ++tick) {
    for (int index = 0; index < 2000; ++index) {
      std::string_view copy = arena.copy(tick, patterned(1900, char('a' + tick)));
      if (tick >= 12) kept.push_back(copy);
    }
  }
  const std::size_t before = arena.bytesHeld();
  arena.releaseBefore(12);
  EXPECT_LT(arena.bytesHeld(), before) << "ticks 10 and 11 gave their blocks back";
  for (std::string_view copy : kept) {
    ASSERT_TRUE(copy == patterned(1900, char('a' + 12)) || copy == patterned(1900, char('a' + 13)));
  }
  arena.releaseBefore(14);
  EXPECT_EQ(arena.bytesHeld(), 0u);
}

TEST(TickArena, ReleasedBlocksAreReusedUpToTheLimitAndGivenBackPastIt) {
  TickArena arena(4 * TickArena::kBlockBytes);
  auto fill = [&](long long tick) {
    for (int index = 0; index < 5000; ++index) arena.copy(tick, patterned(1900, 'x'));
  };
  fill(1);  // about 9.5 MB: the first block and 5 of 2 MiB
  const std::size_t one_tick = arena.bytesHeld();
  arena.releaseBefore(2);
  EXPECT_EQ(arena.bytesHeld(), 4 * TickArena::kBlockBytes) << "four kept free, the rest given back";
  fill(2);
  EXPECT_EQ(arena.bytesHeld(), one_tick) << "the kept blocks were used again before new ones";
}

}  // namespace
}  // namespace keydir
