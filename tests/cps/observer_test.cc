// RFC 8816 section 6.2's goal, tested rather than claimed: someone who
// polls a number once a second cannot tell whether a call was stored for
// it. 200 trials, each a call or none (a fair coin); several observers,
// each with one best guess from what an answer shows (counts, new ids,
// sizes, kids, headers, what changes between polls), must each be right
// no more than 60% of the time.

#include <iostream>
#include <random>

#include "tests/cps/cps_board_fixture.h"

namespace keydir::testing {
namespace {

struct Seen {
  std::size_t count = 0;
  std::map<std::string, nlohmann::json> entries;  // by id
};

struct Look {
  std::size_t ciphertext = 0;
  std::string kids;   // in order
  std::string shape;  // header member names and epk curve, in order
};

Look lookAt(const nlohmann::json& entry) {
  Look look;
  for (const auto& jwe : entry["jwes"]) {
    auto envelope = jweEnvelope(jwe.get<std::string>()).value();
    look.ciphertext = envelope.ciphertext_bytes;
    look.kids += envelope.kid + " ";
    std::string text = jwe;
    auto decoded = base64UrlDecode(text.substr(0, text.find('.')));
    auto ordered = nlohmann::ordered_json::parse(std::string(asStringView(decoded.value())));
    for (const auto& [name, value] : ordered.items()) look.shape += name + ",";
    look.shape += ordered["epk"]["crv"].get<std::string>() + ";";
  }
  return look;
}

TEST_F(CpsBoardTest, AnObserverPollingEverySecondGuessesACallNoBetterThanSixtyPercent) {
  std::mt19937_64 coin(20261205);
  std::uniform_int_distribution<std::size_t> passport_length(440, 620);
  constexpr int kTrials = 200, kTrialSeconds = 6;
  // Calls to other numbers go on throughout, so dummies have lengths to copy.
  int other_calls = 0;
  auto otherCall = [&](Instant at) {
    const std::string tn = "1202555" + std::to_string(1100 + other_calls++ % 50);
    ASSERT_TRUE(board_->store(tn, callerEntry(passportOf(passport_length(coin))), at));
  };
  for (int second = 0; second < 60; ++second) otherCall(tickStart(second));

  std::map<std::string, int> right;  // observer -> trials guessed right
  std::set<std::size_t> lengths_seen;
  std::set<std::string> kids_seen, shapes_seen;
  Seen last;
  int second = 60;
  auto poll = [&](Instant at) {
    Seen now;
    nlohmann::json answer = numberAnswer(at);
    now.count = answer["ppts"].size();
    for (const auto& entry : answer["ppts"]) now.entries[entry["id"]] = entry;
    return now;
  };
  last = poll(tickStart(second));
  for (const auto& [id, entry] : last.entries) {
    Look look = lookAt(entry);
    lengths_seen.insert(look.ciphertext);
    kids_seen.insert(look.kids);
    shapes_seen.insert(look.shape);
  }
  int calls = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    const bool call = coin() % 2 == 0;
    const int call_at = int(coin() % 4);
    calls += call;
    std::map<std::string, bool> guess;  // observer -> "a call was stored"
    std::size_t new_ids = 0;
    for (int step = 0; step < kTrialSeconds; ++step, ++second) {
      otherCall(tickStart(second));
      if (call && step == call_at) {
        ASSERT_TRUE(board_->store(kCalled, callerEntry(passportOf(passport_length(coin))),
                                  tickStart(second)));
      }
      Seen now = poll(tickStart(second + 1));
      guess["count went up"] |= now.count > last.count;
      const bool same_tick = (second + 1) / 2 == second / 2;
      for (const auto& [id, entry] : now.entries) {
        if (last.entries.contains(id)) {
          guess["an entry changed"] |= last.entries.at(id) != entry;
          continue;
        }
        ++new_ids;
        guess["an entry appeared mid-tick"] |= same_tick;
        Look look = lookAt(entry);
        guess["a length not seen before"] |= !lengths_seen.contains(look.ciphertext);
        guess["kids not seen before"] |= !kids_seen.contains(look.kids);
        guess["a header shape not seen before"] |= !shapes_seen.contains(look.shape);
        guess["a long new entry"] |= look.ciphertext > 530;
        lengths_seen.insert(look.ciphertext);
        kids_seen.insert(look.kids);
        shapes_seen.insert(look.shape);
      }
      last = std::move(now);
    }
    guess["more new ids than ticks"] = new_ids > kTrialSeconds / 2;
    for (const auto& [observer, said] : guess) right[observer] += said == call;
    // An observer that never saw its signal said "no call" throughout.
    for (const char* observer :
         {"count went up", "an entry changed", "an entry appeared mid-tick",
          "a length not seen before", "kids not seen before", "a header shape not seen before",
          "a long new entry", "more new ids than ticks"}) {
      if (!guess.contains(observer)) right[observer] += !call;
    }
  }
  std::cout << "observer test: " << calls << " calls in " << kTrials << " trials\n";
  for (const auto& [observer, hits] : right) {
    std::cout << "  " << observer << ": right in " << hits << " (" << 100 * hits / kTrials
              << "%)\n";
    EXPECT_LE(hits, kTrials * 60 / 100) << observer;
  }
}

}  // namespace
}  // namespace keydir::testing
