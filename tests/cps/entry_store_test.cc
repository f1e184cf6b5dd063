// What EntryStore promises, held to both engines by one suite: in memory,
// and a real redis-server on a free port (started and stopped here).

#include "cps/entry_store.h"

#include <gtest/gtest.h>

#include <thread>

#include "cps/entry_rules.h"
#include "cps/memory_entry_store.h"
#include "cps/redis_entry_store.h"
#include "tests/support/child_server.h"

namespace keydir::testing {
namespace {

class EntryStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "memory") {
      store_ = std::make_unique<MemoryEntryStore>();
      return;
    }
    redis_ = std::make_unique<ChildServer>(
        std::vector<std::string>{"redis-server", "--port", "{port}", "--bind", "127.0.0.1",
                                 "--save", "", "--appendonly", "no"},
        dir_.path(), dir_ / "redis.log");
    ASSERT_NE(redis_->port(), 0) << readText(dir_ / "redis.log");
    auto store = RedisEntryStore::open("redis://127.0.0.1:" + std::to_string(redis_->port()), 180);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
  }

  static StoredEntry entry(const std::string& id) {
    return {id, 0, 0, entryJson(id, {"a.b.c.d.e", id})};
  }
  static Placement at(long long tick, int slots = 1, long long wait_ticks = 2) {
    Placement placement;
    placement.current_tick = tick;
    placement.last_tick = tick + wait_ticks;
    placement.first_live_tick = tick - 29;
    placement.slots_per_tick = slots;
    placement.max_per_tn = 5;
    placement.max_entries = 8;
    return placement;
  }

  TempDir dir_;
  std::unique_ptr<ChildServer> redis_;
  std::unique_ptr<EntryStore> store_;
};

TEST_P(EntryStoreTest, AnEntryTakesTheFirstFreeSlotAndAShownTickIsSkipped) {
  auto first = store_->place("12025550150", entry("one"), at(100, 2));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(std::pair(first->tick, first->slot), std::pair(100LL, 0));
  auto second = store_->place("12025550150", entry("two"), at(100, 2));
  EXPECT_EQ(std::pair(second->tick, second->slot), std::pair(100LL, 1));
  auto shown = store_->show("12025550150", 71, 100);
  ASSERT_TRUE(shown);
  ASSERT_EQ(shown->size(), 2u);
  EXPECT_EQ((*shown)[0].id, "one");
  EXPECT_EQ((*shown)[0].json, "{\"id\":\"one\",\"jwes\":[\"a.b.c.d.e\",\"one\"]}");
  // Tick 100 was shown: a later store goes to 101, never into what was seen.
  auto third = store_->place("12025550150", entry("three"), at(100, 2));
  EXPECT_EQ(third->tick, 101);
  EXPECT_EQ(store_->show("12025550150", 71, 100)->size(), 2u);
  EXPECT_EQ(store_->show("12025550150", 71, 101)->size(), 3u);
}

TEST_P(EntryStoreTest, LimitsAndATakenWindowAreRateLimitedAndKeepNothing) {
  for (int store = 0; store < 3; ++store) {
    ASSERT_TRUE(store_->place("12025550150", entry("e" + std::to_string(store)), at(100)));
  }
  auto busy = store_->place("12025550150", entry("busy"), at(100));
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().code, ErrorCode::kRateLimited);
  EXPECT_NE(busy.error().message.find("max_store_wait_seconds"), std::string::npos);
  Placement wide = at(100, 4, 0);
  for (int store = 0; store < 2; ++store) {
    ASSERT_TRUE(store_->place("12025550150", entry("w" + std::to_string(store)), wide));
  }
  auto per_number = store_->place("12025550150", entry("over"), wide);
  ASSERT_FALSE(per_number);
  EXPECT_NE(per_number.error().message.find("max_entries_per_tn"), std::string::npos);
  for (int store = 0; store < 3; ++store) {
    ASSERT_TRUE(store_->place("1202555016" + std::to_string(store), entry("x"), wide));
  }
  auto in_all = store_->place("12025550170", entry("over"), wide);
  ASSERT_FALSE(in_all);
  EXPECT_NE(in_all.error().message.find("max_entries"), std::string::npos);
  EXPECT_EQ(store_->size(), 8u);
}

TEST_P(EntryStoreTest, EntriesAgeOutOfEveryReadAndTheSweepCountsThem) {
  ASSERT_TRUE(store_->place("12025550150", entry("old"), at(100)));
  ASSERT_TRUE(store_->place("12035550150", entry("other"), at(100)));
  EXPECT_EQ(store_->numbersWithEntries("1202555", 71, 10).value(),
            std::vector<std::string>{"12025550150"});
  EXPECT_TRUE(store_->show("12025550150", 101, 130)->empty()) << "tick 100 is not live at 130";
  EXPECT_TRUE(store_->numbersWithEntries("1202555", 101, 10)->empty());
  EXPECT_EQ(store_->sweep(101, 130, nowInstant()), 2u);
  EXPECT_EQ(store_->size(), 0u);
}

TEST_P(EntryStoreTest, ANameIsSpentOnceAndPassportsLiveUntilTheirExpiry) {
  const Instant now = nowInstant();
  EXPECT_TRUE(store_->spendOnce("jti 1", now + std::chrono::seconds(60)).value());
  EXPECT_FALSE(store_->spendOnce("jti 1", now + std::chrono::seconds(60)).value());
  EXPECT_TRUE(store_->spendOnce("jti 2", now + std::chrono::seconds(60)).value());
  auto kept = store_->publish("a/b", {"p1", "p2"}, now + std::chrono::seconds(30), 3);
  ASSERT_TRUE(kept) << kept.error().message;
  auto over = store_->publish("a/b", {"p3", "p4"}, now + std::chrono::seconds(30), 3);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(store_->published("a/b", now).value(), (std::vector<std::string>{"p1", "p2"}));
  EXPECT_TRUE(store_->published("a/b", now + std::chrono::seconds(30))->empty());
  EXPECT_TRUE(store_->published("c/d", now)->empty());
}

TEST_P(EntryStoreTest, ATokenIsSpentOnceForItsKeyUntilTheKeysLastDay) {
  const Instant now = nowInstant();
  const Instant until = now + std::chrono::hours(24 * 8);
  const std::string key(32, 'k'), other_key(32, 'o');
  const std::string nonce(32, 'n'), next_nonce(32, 'm');
  EXPECT_TRUE(store_->spendToken(key, nonce, until).value());
  EXPECT_FALSE(store_->spendToken(key, nonce, until).value());
  EXPECT_TRUE(store_->spendToken(key, next_nonce, until).value());
  const Instant other_until = until + std::chrono::hours(1);
  EXPECT_TRUE(store_->spendToken(other_key, nonce, other_until).value()) << "another key's token";
  EXPECT_TRUE(store_->spendToken(key, "short", until).value()) << "kept by name";
  EXPECT_FALSE(store_->spendToken(key, "short", until).value());
  EXPECT_EQ(store_->tokensSpent(key, until).value(), 2u) << "the short nonce is kept by name";
  EXPECT_EQ(store_->tokensSpent(other_key, other_until).value(), 1u);
  EXPECT_EQ(store_->tokensSpent(std::string(32, 'x'), until).value(), 0u);
  // A sweep before the key's last day forgets nothing.
  store_->sweep(0, 1, now + std::chrono::hours(24));
  EXPECT_FALSE(store_->spendToken(key, nonce, until).value());
  EXPECT_FALSE(store_->spendToken(key, "short", until).value());
  if (GetParam() == "memory") {
    // On the key's last day its nonces go together (the CPS refuses the
    // key's tokens from then on).
    store_->sweep(0, 1, until);
    EXPECT_EQ(store_->tokensSpent(key, until).value(), 0u);
    EXPECT_TRUE(store_->spendToken(key, nonce, until).value());
    EXPECT_TRUE(store_->spendToken(key, "short", until).value());
    EXPECT_FALSE(store_->spendToken(other_key, nonce, other_until).value())
        << "the other key's last day is later";
    return;
  }
  // Redis lets the key's set expire on its last day: one 1-2 s away (two
  // whole seconds from a clock read in whole seconds), never between the
  // two spends below.
  const std::string soon_key(32, 's');
  const Instant soon = nowInstant() + std::chrono::seconds(2);
  ASSERT_TRUE(store_->spendToken(soon_key, nonce, soon).value());
  ASSERT_FALSE(store_->spendToken(soon_key, nonce, soon).value());
  bool forgotten = false;
  for (int poll = 0; poll < 60 && !forgotten; ++poll) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    forgotten = store_->spendToken(soon_key, nonce, soon + std::chrono::hours(1)).value();
  }
  EXPECT_TRUE(forgotten) << "the set outlived its key's last day by 4 s";
  EXPECT_FALSE(store_->spendToken(key, nonce, until).value()) << "another key's set is kept";
}

TEST_P(EntryStoreTest, LengthsAreFrozenPerTickAndTheSecretIsKeptOnce) {
  store_->recordLength(480);
  EXPECT_EQ(store_->lengthsAt(7), std::vector<std::size_t>{480});
  store_->recordLength(512);
  EXPECT_EQ(store_->lengthsAt(7), std::vector<std::size_t>{480}) << "frozen when first asked";
  EXPECT_EQ(store_->lengthsAt(8).size(), 2u);
  const std::string first(32, 'a'), second(32, 'b');
  const std::string kept = store_->sharedSecret(first).value();
  EXPECT_EQ(kept, first);
  if (GetParam() == "redis") {
    EXPECT_EQ(store_->sharedSecret(second).value(), first);
  }
}

TEST_P(EntryStoreTest, WindowsCountTheirOwnAndAKeptValueIsMadeOnce) {
  const Instant window_end = nowInstant() + std::chrono::seconds(60);
  EXPECT_EQ(store_->countInWindow("stores 1 7", window_end).value(), 1u);
  EXPECT_EQ(store_->countInWindow("stores 1 7", window_end).value(), 2u);
  EXPECT_EQ(store_->countInWindow("stores 1 8", window_end).value(), 1u) << "another window";
  EXPECT_EQ(store_->countInWindow("stores 1 7", window_end).value(), 3u);

  const Instant expires = nowInstant() + std::chrono::seconds(60);
  auto none = store_->keepFirst("key 1", nullptr, expires);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  int made = 0;
  auto make = [&made] { return "made " + std::to_string(++made); };
  EXPECT_EQ(store_->keepFirst("key 1", make, expires).value(), "made 1");
  EXPECT_EQ(store_->keepFirst("key 1", make, expires).value(), "made 1");
  EXPECT_EQ(store_->keepFirst("key 1", nullptr, expires).value(), "made 1");
  EXPECT_EQ(made, 1) << "made once, then read";
}

INSTANTIATE_TEST_SUITE_P(BothEngines, EntryStoreTest, ::testing::Values("memory", "redis"),
                         [](const auto& info) { return info.param; });

// In memory, published passports go at the first sweep at or after their
// expiry (Redis gives each pair its own TTL), pair by pair: what was due
// goes, and what was not stays and counts against the pair's limit.
TEST(MemoryEntryStore, ASweepDropsThePassportsDueAndLeavesTheRest) {
  MemoryEntryStore store;
  const Instant now = nowInstant();
  auto in = [&](int seconds) { return now + std::chrono::seconds(seconds); };
  ASSERT_TRUE(store.publish("a/b", {"p1", "p2"}, in(30), 3));
  ASSERT_TRUE(store.publish("a/b", {"p3"}, in(60), 3));
  ASSERT_TRUE(store.publish("c/d", {"q1", "q2", "q3"}, in(30), 3));
  ASSERT_TRUE(store.publish("e/f", {"r1", "r2", "r3"}, in(60), 3));
  ASSERT_FALSE(store.publish("g/h", {"s1", "s2", "s3", "s4"}, in(30), 3));
  EXPECT_FALSE(store.publish("c/d", {"q4"}, in(60), 3)) << "full until a sweep";

  store.sweep(0, 0, in(29));
  EXPECT_FALSE(store.publish("c/d", {"q4"}, in(60), 3)) << "not due yet";
  store.sweep(0, 0, in(30));
  EXPECT_TRUE(store.publish("a/b", {"p4", "p5"}, in(90), 3)) << "p1 and p2 were due";
  EXPECT_FALSE(store.publish("a/b", {"p6"}, in(90), 3)) << "p3 was not";
  EXPECT_TRUE(store.publish("c/d", {"q4", "q5", "q6"}, in(90), 3));
  EXPECT_FALSE(store.publish("e/f", {"r4"}, in(90), 3)) << "none of it was due";
  EXPECT_EQ(store.published("a/b", in(30)).value(), (std::vector<std::string>{"p3", "p4", "p5"}));

  store.sweep(0, 0, in(90));
  for (const char* pair : {"a/b", "c/d", "e/f", "g/h"}) {
    EXPECT_TRUE(store.published(pair, now)->empty()) << pair;
    EXPECT_TRUE(store.publish(pair, {"x", "y", "z"}, in(120), 3)) << pair;
  }
}

TEST(RedisEntryStore, ABadUriOrNoRedisIsAClearError) {
  for (const char* uri : {"redis://", "redis://host", "redis://host:0", "redis://host:1/x"}) {
    auto refused = RedisEntryStore::open(uri, 60);
    ASSERT_FALSE(refused) << uri;
    EXPECT_EQ(refused.error().code, ErrorCode::kMalformed) << uri;
  }
  auto away = RedisEntryStore::open("redis://127.0.0.1:1", 60);
  ASSERT_FALSE(away);
  EXPECT_EQ(away.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(away.error().message.find("127.0.0.1:1"), std::string::npos) << away.error().message;
}

}  // namespace
}  // namespace keydir::testing
