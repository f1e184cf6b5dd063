// The private interface's promises (docs/design.md section 13), on a board over a
// memory store and a real directory: aging, slots, limits, dummies shaped
// as `keydir encrypt` shapes its JWEs, never repeated, stable between polls.

#include <set>

#include "tests/cps/cps_board_fixture.h"

namespace keydir::testing {
namespace {

// A JWE's header as sent, decoded, in the order its members were written.
nlohmann::ordered_json sentHeader(const std::string& jwe) {
  auto decoded = base64UrlDecode(std::string_view(jwe).substr(0, jwe.find('.')));
  return nlohmann::ordered_json::parse(std::string(asStringView(decoded.value())));
}

std::vector<std::string> memberNames(const nlohmann::ordered_json& object) {
  std::vector<std::string> names;
  for (const auto& [name, value] : object.items()) names.push_back(name);
  return names;
}

TEST_F(CpsBoardTest, AStoredEntryIsServedForMaxAgeAndGoneAfter) {
  const Instant stored_at = tickStart(10);
  auto stored = board_->store(kCalled, callerEntry(passportOf(480)), stored_at);
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(stored->expires, stored_at + std::chrono::seconds(60));
  for (int after : {0, 1, 30, 59}) {
    EXPECT_TRUE(ids(numberAnswer(stored_at + std::chrono::seconds(after))).contains(stored->id))
        << after << " s after";
    EXPECT_TRUE(board_->entryAnswer(kCalled, stored->id, stored_at + std::chrono::seconds(after)));
  }
  const Instant gone_at = stored_at + std::chrono::seconds(60);
  EXPECT_FALSE(ids(numberAnswer(gone_at)).contains(stored->id));
  auto by_id = board_->entryAnswer(kCalled, stored->id, gone_at);
  ASSERT_FALSE(by_id);
  EXPECT_EQ(by_id.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(board_->sweep(gone_at), 1u) << "and the store forgets it";
  EXPECT_EQ(store_->size(), 0u);
}

TEST_F(CpsBoardTest, EveryNumberShowsAFullWindowNeverAnEmptyAnswer) {
  for (const char* tn : {"12025550150", "14155550123", "33123456789"}) {
    nlohmann::json answer = numberAnswer(tickStart(), tn);
    EXPECT_EQ(answer["tn"], tn);
    EXPECT_EQ(answer["ppts"].size(), 30u) << "60 s of 2 s ticks, one slot each";
  }
}

TEST_F(CpsBoardTest, TheCountNeverChangesWithStores) {
  std::set<std::size_t> counts;
  for (int second = 0; second < 20; ++second) {
    if (second % 3 == 0) {
      ASSERT_TRUE(board_->store(kCalled, callerEntry(passportOf(480)), tickStart(second)));
    }
    counts.insert(numberAnswer(tickStart(second))["ppts"].size());
  }
  EXPECT_EQ(counts, std::set<std::size_t>{30});
}

TEST_F(CpsBoardTest, AStoreIntoATickAlreadyShownAppearsAtTheNextTick) {
  const std::set<std::string> before = ids(numberAnswer(tickStart()));
  auto stored = board_->store(kCalled, callerEntry(passportOf(480)), tickStart(1));
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->expires, tickStart(2 + 60));
  EXPECT_EQ(ids(numberAnswer(tickStart(1))), before) << "the tick stays as it was seen";
  EXPECT_TRUE(ids(numberAnswer(tickStart(2))).contains(stored->id));
}

TEST_F(CpsBoardTest, StoresBeyondATicksSlotsSpillIntoLaterTicksThenAreRefused) {
  // 10 s of waiting is 5 ticks of one slot, the current one included (6).
  std::set<Instant> expiries;
  for (int store = 0; store < 6; ++store) {
    auto stored = board_->store(kCalled, callerEntry(passportOf(480)), tickStart());
    ASSERT_TRUE(stored) << "store " << store << ": " << stored.error().message;
    expiries.insert(stored->expires);
  }
  EXPECT_EQ(expiries.size(), 6u) << "one a tick";
  auto refused = board_->store(kCalled, callerEntry(passportOf(480)), tickStart());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(store_->size(), 6u) << "nothing kept of the refused store";
}

TEST_F(CpsBoardTest, LimitsPerNumberAndInAllAnswerRateLimitedAndKeepNothing) {
  BoardRules rules;
  rules.slots_per_tick = 8;
  rules.max_entries_per_tn = 3;
  rules.max_entries = 5;
  makeBoard(rules);
  for (int store = 0; store < 3; ++store) {
    ASSERT_TRUE(board_->store(kCalled, callerEntry(passportOf(480)), tickStart()));
  }
  auto per_number = board_->store(kCalled, callerEntry(passportOf(480)), tickStart());
  ASSERT_FALSE(per_number);
  EXPECT_EQ(per_number.error().code, ErrorCode::kRateLimited);
  EXPECT_NE(per_number.error().message.find("max_entries_per_tn"), std::string::npos);
  ASSERT_TRUE(board_->store("12025550151", callerEntry(passportOf(480)), tickStart()));
  ASSERT_TRUE(board_->store("12025550152", callerEntry(passportOf(480)), tickStart()));
  auto in_all = board_->store("12025550153", callerEntry(passportOf(480)), tickStart());
  ASSERT_FALSE(in_all);
  EXPECT_NE(in_all.error().message.find("max_entries"), std::string::npos);
  EXPECT_EQ(store_->size(), 5u);
}

TEST_F(CpsBoardTest, DummiesAreShapedAsKeydirEncryptShapesItsJwes) {
  // What `keydir encrypt` makes for each key, to compare with.
  const std::vector<std::string> real = callerEntry(passportOf(480));
  nlohmann::json answer = numberAnswer(tickStart());
  for (const auto& entry : answer["ppts"]) {
    ASSERT_EQ(entry["jwes"].size(), 2u) << "one JWE per key of the number";
    EXPECT_EQ(entry["id"].get<std::string>().size(), DummyMaker::freshId().size());
    for (std::size_t index = 0; index < 2; ++index) {
      const std::string jwe = entry["jwes"][index];
      nlohmann::ordered_json header = sentHeader(jwe), real_header = sentHeader(real[index]);
      EXPECT_EQ(memberNames(header), memberNames(real_header));
      EXPECT_EQ(memberNames(header["epk"]), memberNames(real_header["epk"]));
      EXPECT_EQ(header["kid"], directory_order_[index]) << "the key's own kid, in its place";
      EXPECT_EQ(header["alg"], "ECDH-ES");
      EXPECT_EQ(header["enc"], "A256GCM");
      auto envelope = jweEnvelope(jwe);
      ASSERT_TRUE(envelope) << envelope.error().message << " (the epk is on its curve)";
      EXPECT_EQ(envelope->epk_type, jweEnvelope(real[index])->epk_type);
    }
  }
}

TEST_F(CpsBoardTest, DummyLengthsComeFromWhatWasStoredLately) {
  const std::set<std::size_t> stored_lengths = {433, 517, 602};
  int second = 0;
  for (std::size_t length : stored_lengths) {
    ASSERT_TRUE(board_->store("12025550177", callerEntry(passportOf(length)), tickStart(second)));
    second += 2;
  }
  // A number first asked for now: each dummy of a tick after the stores
  // copies one of their lengths.
  const Instant later = tickStart(second);
  nlohmann::json answer = numberAnswer(later);
  std::set<std::size_t> seen;
  for (const auto& entry : answer["ppts"]) {
    seen.insert(jweEnvelope(entry["jwes"][0].get<std::string>())->ciphertext_bytes);
  }
  for (std::size_t length : seen) {
    EXPECT_TRUE(stored_lengths.contains(length) || length >= 420)
        << length << " is neither stored nor from the spread before any store";
  }
  nlohmann::json next = numberAnswer(later + std::chrono::seconds(2));
  const std::set<std::string> old_ids = ids(answer);
  for (const auto& entry : next["ppts"]) {
    if (old_ids.contains(entry["id"])) continue;
    EXPECT_TRUE(
        stored_lengths.contains(jweEnvelope(entry["jwes"][0].get<std::string>())->ciphertext_bytes))
        << "the new tick's dummy";
  }
}

TEST_F(CpsBoardTest, ADummyStaysTheSameBetweenPollsUntilItAgesOut) {
  std::map<std::string, std::string> first_seen;  // id -> the entry's bytes
  std::map<std::string, int> polls_seen;
  for (int second = 0; second < 90; ++second) {
    const nlohmann::json answer = numberAnswer(tickStart(second));
    for (const auto& entry : answer["ppts"]) {
      const std::string bytes = entry.dump();
      auto [at, fresh] = first_seen.try_emplace(entry["id"], bytes);
      EXPECT_EQ(at->second, bytes) << "an entry changed between polls";
      ++polls_seen[entry["id"]];
    }
  }
  for (const auto& [id, polls] : polls_seen) EXPECT_LE(polls, 60) << "served past max age";
  // Made again from the secret by a board that never held it: the same.
  makeBoard(BoardRules{});
  const nlohmann::json again = numberAnswer(tickStart(89));
  for (const auto& entry : again["ppts"]) {
    EXPECT_EQ(first_seen.at(entry["id"]), entry.dump());
  }
}

TEST_F(CpsBoardTest, NoDummyBytesRepeatAcrossTenThousandAnswers) {
  // 100 numbers polled over 100 ticks: 10,000 answers, some 13,000 dummies.
  std::map<std::string, std::string> part_owner;  // a JWE part -> the entry id holding it
  std::set<std::string> entry_ids;
  std::size_t answers = 0;
  for (int tick = 0; tick < 100; ++tick) {
    for (int number = 0; number < 100; ++number) {
      const std::string tn = "1202555" + std::to_string(1000 + number);
      auto answer = board_->numberAnswer(tn, tickStart(2 * tick));
      ASSERT_TRUE(answer);
      ++answers;
      const nlohmann::json parsed = nlohmann::json::parse(**answer);
      for (const auto& entry : parsed["ppts"]) {
        const std::string id = tn + "/" + entry["id"].get<std::string>();
        if (!entry_ids.insert(id).second) continue;
        for (const auto& jwe : entry["jwes"]) {
          std::string text = jwe;
          const std::size_t first_dot = text.find('.');
          auto epk = sentHeader(text)["epk"].dump();
          std::vector<std::string> parts = {epk};
          std::size_t start = first_dot + 2;  // past the empty encrypted key
          for (std::size_t dot; (dot = text.find('.', start)) != std::string::npos;
               start = dot + 1) {
            parts.push_back(text.substr(start, dot - start));
          }
          parts.push_back(text.substr(start));
          for (const std::string& part : parts) {
            auto [at, fresh] = part_owner.try_emplace(part, id);
            ASSERT_TRUE(fresh) << "bytes of " << id << " repeat those of " << at->second;
          }
        }
      }
    }
  }
  EXPECT_EQ(answers, 10000u);
  EXPECT_GT(entry_ids.size(), 12000u);
}

TEST_F(CpsBoardTest, APrefixFindsEveryNumberWithEntriesOrAskedForAndNoOther) {
  auto stored = board_->store("12025550150", callerEntry(passportOf(480)), tickStart());
  ASSERT_TRUE(stored);
  numberAnswer(tickStart(), "12025550199");  // asked for lately
  numberAnswer(tickStart(), "12035550150");  // another prefix
  auto answer = board_->prefixAnswer("1202555", tickStart(1));
  ASSERT_TRUE(answer) << answer.error().message;
  nlohmann::json parsed = nlohmann::json::parse(*answer);
  std::map<std::string, int> per_number;
  bool found = false;
  for (const auto& entry : parsed["ppts"]) {
    ++per_number[entry["tn"]];
    found = found || entry["id"] == stored->id;
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(per_number, (std::map<std::string, int>{{"12025550150", 30}, {"12025550199", 30}}));
}

TEST_F(CpsBoardTest, APrefixTooShortOrTooBroadIsRefused) {
  for (const char* bad : {"120255", "12025a5", ""}) {
    auto refused = board_->prefixAnswer(bad, tickStart());
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().code, ErrorCode::kMalformed);
  }
  BoardRules rules;
  rules.max_prefix_numbers = 2;
  makeBoard(rules);
  for (const char* tn : {"12025550150", "12025550151", "12025550152"})
    numberAnswer(tickStart(), tn);
  auto broad = board_->prefixAnswer("1202555", tickStart());
  ASSERT_FALSE(broad);
  EXPECT_EQ(broad.error().code, ErrorCode::kPayloadTooLarge);
}

TEST_F(CpsBoardTest, TheCalleeDecryptsItsEntryAndNoDummy) {
  auto stored = board_->store(kCalled, callerEntry("the PASSporT"), tickStart());
  ASSERT_TRUE(stored);
  int decrypted = 0;
  const nlohmann::json answer = numberAnswer(tickStart(4));
  for (const auto& entry : answer["ppts"]) {
    for (std::size_t index = 0; index < 2; ++index) {
      const std::string kid = directory_order_[index];
      EvpPkeyPtr& key = keys_[kid == kids_[0] ? 0 : 1];
      auto opened = decryptJwe(entry["jwes"][index].get<std::string>(), key.get());
      if (opened) {
        EXPECT_EQ(opened->plaintext, "the PASSporT");
        EXPECT_EQ(entry["id"], stored->id);
        ++decrypted;
      } else {
        EXPECT_EQ(opened.error().code, ErrorCode::kBadSignature);
      }
    }
  }
  EXPECT_EQ(decrypted, 2) << "both keys open the caller's entry";
}

}  // namespace
}  // namespace keydir::testing
