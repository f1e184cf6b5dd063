// Lookup answers held in memory (directory/lookup_answers.h, issue 12):
// every way the live set changes is seen by the very next lookup, whether
// the server made the change or another process wrote the file, and the
// answers really are served from memory in between.
#include "directory/lookup_answers.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "advertise/advertisement_signer.h"
#include "tests/directory/feed_fixture.h"
#include "tests/support/cps_entries.h"
#include "tests/support/keydir_cli.h"

namespace keydir {
namespace {

using std::chrono::hours;

class LookupAnswersTest : public testing::FeedTest {
 protected:
  void SetUp() override {
    FeedTest::SetUp();
    // What is held is what the tests did, not what a pass made ahead.
    config_.lookup_answers_prefill = false;
  }
  LookupAnswers& held() { return *server_->service().lookup_answers; }
  // Looks `tn` up twice: the second must come from memory and agree.
  std::vector<std::string> lookedUpTwice(const std::string& tn) {
    std::vector<std::string> first = idsFor(tn);
    const std::size_t held_before = held().count();
    std::vector<std::string> second = idsFor(tn);
    EXPECT_EQ(first, second) << tn;
    EXPECT_EQ(held().count(), held_before) << tn << " was answered again rather than held";
    EXPECT_TRUE(held().holds(tn, clock_->now())) << tn << " is not held";
    return second;
  }
  // Registers a key of its own for 14155550123, then restarts the server
  // with answers made ahead; returns the key's id.
  std::string registeredThenRestartedWithPrefill() {
    auto direct = pki_->issue(testing::issueRequest("solo", CertificateKind::kEnterprise,
                                                    "intermediate", {"2-14155550123"}));
    startServer();
    std::string id = registered(direct);
    stopServer();
    config_.lookup_answers_prefill = true;
    startServer();
    return id;
  }
  // Waits up to ten seconds for 14155550123's answer to be made ahead.
  bool madeAhead() {
    for (int i = 0; i < 500 && !held().holds("14155550123", clock_->now()); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return held().holds("14155550123", clock_->now());
  }
};

TEST_F(LookupAnswersTest, ARegistrationAndARevocationAreSeenByTheNextLookup) {
  startServer();
  EXPECT_TRUE(lookedUpTwice("12025550150").empty());  // "no keys" is held too
  EXPECT_TRUE(lookedUpTwice("12025550199").empty());
  std::string id = registered(pki_->acme);
  EXPECT_EQ(idsFor("12025550150"), std::vector<std::string>{id});
  EXPECT_EQ(lookedUpTwice("12025550199"), std::vector<std::string>{id});
  ASSERT_EQ(revoke(id, "j1").status, 200);
  EXPECT_TRUE(idsFor("12025550150").empty());
  EXPECT_TRUE(idsFor("12025550199").empty());
}

TEST_F(LookupAnswersTest, ANumberOfARangeHeldBeforeARegistrationIsAnsweredAfresh) {
  startServer();
  EXPECT_TRUE(lookedUpTwice("12025550101").empty());
  EXPECT_TRUE(lookedUpTwice("12025550200").empty());  // outside acme's range: stays held
  std::string id = registered(pki_->acme);
  ASSERT_TRUE(held().catchUp());  // what the next lookup does first
  EXPECT_FALSE(held().holds("12025550101", clock_->now()));
  EXPECT_TRUE(held().holds("12025550200", clock_->now()));
  EXPECT_EQ(idsFor("12025550101"), std::vector<std::string>{id});
}

// With more answers held than the range has numbers, the range's numbers
// are dropped one by one rather than by a pass over everything held.
TEST_F(LookupAnswersTest, ARangeSmallerThanWhatIsHeldDropsExactlyItsNumbers) {
  startServer();
  for (long long n = 12025550050; n < 12025550250; ++n) idsFor(std::to_string(n));
  ASSERT_EQ(held().count(), 200u);
  std::string id = registered(pki_->acme);  // 1-12025550100-100
  ASSERT_TRUE(held().catchUp());
  EXPECT_EQ(held().count(), 100u);
  for (long long n = 12025550050; n < 12025550250; ++n) {
    const bool in_range = n >= 12025550100 && n < 12025550200;
    EXPECT_NE(held().holds(std::to_string(n), clock_->now()), in_range) << n;
  }
  EXPECT_EQ(idsFor("12025550199"), std::vector<std::string>{id});
}

TEST_F(LookupAnswersTest, AnExpiredKeyIsGoneFromTheNextLookupBeforeTheSweepSaysSo) {
  startServer();
  std::string id = registered(pki_->acme, hours(1));
  EXPECT_EQ(lookedUpTwice("12025550150"), std::vector<std::string>{id});
  clock_->advance(hours(1));
  EXPECT_TRUE(idsFor("12025550150").empty());
  ASSERT_EQ(server_->sweepFeed().value(), 1u);
  EXPECT_TRUE(idsFor("12025550150").empty());
}

TEST_F(LookupAnswersTest, AnSpcMapChangeIsSeenByTheNextLookup) {
  startServer();
  std::string carrier = registered(pki_->carrier);  // 0-1234: through the map
  EXPECT_EQ(lookedUpTwice("12025559999"), std::vector<std::string>{carrier});
  // The map now gives SPC 1234 only the first hundred numbers.
  ASSERT_TRUE(directory_store().importSpcMap(
      {{TnScope::parse("1-12025550000-100").value(), "1234"}}, {}, true));
  EXPECT_TRUE(idsFor("12025559999").empty());
  EXPECT_EQ(idsFor("12025550050"), std::vector<std::string>{carrier});
}

TEST_F(LookupAnswersTest, AWithdrawalByAnotherProcessIsSeenByTheNextLookup) {
  startServer();
  std::string id = registered(pki_->acme);
  EXPECT_EQ(lookedUpTwice("12025550150"), std::vector<std::string>{id});
  auto run = testing::keydir("withdraw " + id + " --db " + config_.db + " --reason 'key leaked'");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_TRUE(idsFor("12025550150").empty());
}

// CPS lookups are held beside key lookups: the second lookup is served
// from memory (the advertisement's rows deleted behind the feed's back
// do not show), and an advertisement put, replaced or expired and an SPC
// map change each reach the very next lookup, whatever number it touched.
TEST_F(LookupAnswersTest, HeldCpsAnswersFollowEveryChangeThatCanTouchThem) {
  startServer();
  auto publish = [&](const testing::Identity& who, const char* scope, const char* uri,
                     std::chrono::seconds iat_offset = {}, std::optional<Instant> exp = {}) {
    std::string jws =
        signAdvertisement({testing::cpsEntries({{scope, uri}}), clock_->now() + iat_offset, exp},
                          who.key.get(), who.chain)
            .value();
    HttpAnswer answer =
        client_->request("POST", "/v1/advertisements", jws, "application/jose").value();
    ASSERT_EQ(answer.status, 201) << answer.body;
  };
  auto uris = [&](const std::string& tn) {
    HttpAnswer answer = get("/v1/tns/" + tn + "/cps");
    EXPECT_EQ(answer.status, 200) << answer.body;
    const nlohmann::json body = nlohmann::json::parse(answer.body);
    std::vector<std::string> found;
    for (const auto& entry : body["cps"]) found.push_back(entry["uri"]);
    return found;
  };
  using Uris = std::vector<std::string>;
  CpsAnswers& cps = held().cps();

  publish(pki_->carrier, "0-1234", "https://one.example", {}, clock_->now() + hours(2));
  // The first lookup is answered afresh without reading the feed; the
  // second, finding it held, catches up (the held answers' first catch-up
  // drops what came before it) and holds it again.
  EXPECT_EQ(uris("12025550150"), Uris{"https://one.example"});
  EXPECT_EQ(uris("12025550150"), Uris{"https://one.example"});
  EXPECT_EQ(cps.count(), 1u);
  {
    auto db = static_cast<SqlKeyStore&>(directory_store()).pool().borrow();
    ASSERT_TRUE(db->execute("DELETE FROM ad_spcs"));
  }
  EXPECT_EQ(uris("12025550150"), Uris{"https://one.example"}) << "not served from memory";

  // Another signer's advertisement, for other numbers: every answer goes.
  publish(pki_->acme, "2-12025550199", "https://acme.example");
  EXPECT_TRUE(uris("12025550150").empty()) << "the rows deleted above are gone now";

  // A replacement, put back through the feed, is seen at once.
  publish(pki_->carrier, "0-1234", "https://two.example", std::chrono::seconds(10),
          clock_->now() + hours(1));
  EXPECT_EQ(uris("12025550150"), Uris{"https://two.example"});
  EXPECT_EQ(uris("12025550150"), Uris{"https://two.example"});

  // The SPC map takes the number from SPC 1234: answered afresh.
  ASSERT_TRUE(directory_store().importSpcMap(
      {{TnScope::parse("1-12025550000-100").value(), "1234"}}, {}, true));
  EXPECT_TRUE(uris("12025550150").empty());
  EXPECT_EQ(uris("12025550050"), Uris{"https://two.example"});

  // Held, it lapses with its advertisement, before any sweep.
  clock_->advance(hours(1));
  EXPECT_TRUE(uris("12025550050").empty());
}

// A cache's held answers (Writers::kThisProcessOnly) look at the store
// only after this process has committed something, and then see all of it.
TEST_F(LookupAnswersTest, WrittenOnlyByThisProcessTheStoreIsReadOnlyAfterItsOwnCommits) {
  startServer();
  std::string id = registered(pki_->acme);
  auto file = AnswerFile::open(dir_.path().string(), 1 << 20);
  ASSERT_TRUE(file) << file.error().message;
  LookupAnswers answers(directory_store(), 1 << 20, std::move(*file),
                        LookupAnswers::Writers::kThisProcessOnly);
  auto hold = [&](const std::string& tn) {
    ASSERT_TRUE(answers.catchUp());
    std::int64_t as_of = 0;
    auto made = tnKeysAnswer(*server_->service().registry, tn, clock_->now(), &as_of);
    ASSERT_TRUE(made) << made.error().message;
    answers.keep(tn, as_of, *made);
    ASSERT_TRUE(answers.holds(tn, clock_->now()));
  };

  hold("12025550150");
  ASSERT_EQ(revoke(id, "j1").status, 200);  // committed by this process
  ASSERT_TRUE(answers.catchUp());
  EXPECT_FALSE(answers.holds("12025550150", clock_->now())) << "this process's revocation missed";

  // Another process's write is not looked for: that is the promise the
  // cache keeps by being its replica's only writer...
  std::string other = registered(pki_->acme);
  hold("12025550150");
  auto run = testing::keydir("withdraw " + other + " --db " + config_.db + " --reason 'test'");
  ASSERT_EQ(run.status, 0) << run.output;
  ASSERT_TRUE(answers.catchUp());
  EXPECT_TRUE(answers.holds("12025550150", clock_->now())) << "the store was read with no commit";
  // ...and the next commit here brings every change since, not only its own.
  registered(pki_->carrier);
  ASSERT_TRUE(answers.catchUp());
  EXPECT_FALSE(answers.holds("12025550150", clock_->now()));
}

TEST_F(LookupAnswersTest, PastTheFilesSizeTheAnswersAskedForStayAndOthersMakeRoom) {
  config_.lookup_answers_file_mib = 1;
  startServer();
  std::string carrier = registered(pki_->carrier);  // every number of SPC 1234
  auto number = [](int i) { return "1202555" + std::to_string(1000 + i); };
  auto lookUp = [&](int i) { ASSERT_EQ(idsFor(number(i)), std::vector<std::string>{carrier}); };
  // Each answer holds the carrier's key, about 2 KB: a file of a mebibyte
  // holds some five hundred. The first hundred are asked for again and again
  // while the rest come twice each, one after the other.
  for (int i = 0; i < 2000; ++i) {
    lookUp(i);
    if (i >= 100) lookUp(i);
    for (int again = 0; again < 100 && i >= 100; again += 25) lookUp(again + i % 25);
  }
  EXPECT_LE(held().fileBytes(), std::size_t(1) << 20);
  EXPECT_GT(held().count(), 300u);
  EXPECT_GT(held().evicted(), 1000u) << "new answers were not kept in place of old ones";
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(held().holds(number(i), clock_->now()))
        << number(i) << ", asked for often, was dropped";
  }
  EXPECT_TRUE(held().holds(number(1999), clock_->now())) << "the latest, asked for twice";
  // With the budget spent, a number asked for once is answered but not
  // held: lookups spread over more numbers than fit do not churn.
  const std::uint64_t evicted = held().evicted();
  for (int i = 2000; i < 2100; ++i) lookUp(i);
  EXPECT_EQ(held().evicted(), evicted);
  EXPECT_FALSE(held().holds(number(2099), clock_->now()));
  lookUp(2099);
  EXPECT_TRUE(held().holds(number(2099), clock_->now())) << "asked for again, it is held";
}

// The answers' bytes are in their file; memory holds only their index,
// and the index's own budget bounds how many are held however roomy the
// file is.
TEST_F(LookupAnswersTest, TheAnswersAreInTheirFileAndTheIndexHasABudgetOfItsOwn) {
  startServer();
  std::string carrier = registered(pki_->carrier);  // every number of SPC 1234
  auto file = AnswerFile::open(dir_.path().string(), 16 << 20);
  ASSERT_TRUE(file) << file.error().message;
  const std::size_t index_budget = 50 * 100;
  LookupAnswers answers(directory_store(), index_budget, std::move(*file),
                        LookupAnswers::Writers::kAnyProcess);
  std::size_t body_bytes = 0;
  for (int i = 0; i < 200; ++i) {
    const std::string tn = "1202555" + std::to_string(1000 + i);
    ASSERT_TRUE(answers.catchUp());
    std::int64_t as_of = 0;
    auto made = tnKeysAnswer(*server_->service().registry, tn, clock_->now(), &as_of);
    ASSERT_TRUE(made) << made.error().message;
    // Asked for twice, as a number must be to be held once the budget is spent.
    answers.keep(tn, as_of, *made);
    answers.keep(tn, as_of, *made);
    ASSERT_TRUE(answers.holds(tn, clock_->now())) << tn;
    LookupAnswers::Answer served;
    ASSERT_TRUE(answers.copy(tn, clock_->now(), served));
    EXPECT_EQ(served.body, made->body);
    EXPECT_EQ(served.etag, made->etag);
    EXPECT_EQ(served.earliest_expiry, made->earliest_expiry);
    body_bytes = made->body.size();
  }
  EXPECT_LE(answers.bytes(), index_budget);
  EXPECT_GT(answers.count(), 30u);
  EXPECT_LT(answers.count(), 100u);
  EXPECT_EQ(answers.evicted() + answers.count(), 200u);
  EXPECT_GE(answers.fileBytes(), answers.count() * body_bytes) << "the bodies are not in the file";
  EXPECT_LE(answers.bytes(), answers.count() * 100) << "the index holds more than an index";
}

TEST_F(LookupAnswersTest, PrefillMakesTheAnswersOfNumbersWithTheirOwnKeysAtStart) {
  std::string id = registeredThenRestartedWithPrefill();
  EXPECT_TRUE(madeAhead());
  EXPECT_EQ(idsFor("14155550123"), std::vector<std::string>{id});
}

TEST_F(LookupAnswersTest, PrefillLeavesOutANumberWhoseOwnKeysAreAllRevoked) {
  auto gone = pki_->issue(testing::issueRequest("gone", CertificateKind::kEnterprise,
                                                "intermediate", {"2-12025550122"}));
  startServer();
  ASSERT_EQ(revoke(registered(gone), "j1").status, 200);
  stopServer();
  std::string id = registeredThenRestartedWithPrefill();
  ASSERT_TRUE(madeAhead());
  // Stopping waits for the batch that held 14155550123 to end, and both
  // numbers are in that one batch.
  server_->stop();
  EXPECT_FALSE(held().holds("12025550122", clock_->now()));
  EXPECT_EQ(held().count(), 1u);
}

TEST_F(LookupAnswersTest, PrefillMakesThemAgainOnceEveryAnswerWasDropped) {
  std::string id = registeredThenRestartedWithPrefill();
  ASSERT_TRUE(madeAhead());
  // An SPC-map change drops every held answer (the next lookup's catch-up);
  // no lookup follows, yet the number's answer is made again.
  ASSERT_TRUE(directory_store().importSpcMap(
      {{TnScope::parse("1-12025550000-100").value(), "1234"}}, {}, true));
  ASSERT_TRUE(held().catchUp());
  ASSERT_EQ(held().count(), 0u);
  EXPECT_TRUE(madeAhead());
  EXPECT_EQ(idsFor("14155550123"), std::vector<std::string>{id});
}

TEST_F(LookupAnswersTest, ADirectoryTheAnswersCannotGoInStopsTheStartAndSaysWhatToSet) {
  config_.lookup_answers_dir = (dir_ / "not-there").string();
  auto server = DirectoryServer::create(config_, clock_.get());
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(server.error().message.find(config_.lookup_answers_dir), std::string::npos)
      << server.error().message;
  EXPECT_NE(server.error().message.find("set lookup_answers_dir"), std::string::npos)
      << server.error().message;
}

// The file's place defaults to beside the database, and leaves no name there.
TEST_F(LookupAnswersTest, TheAnswersFileSitsBesideTheDatabaseWithoutAName) {
  startServer();
  registered(pki_->acme);
  EXPECT_EQ(lookedUpTwice("12025550150").size(), 1u);
  EXPECT_GT(held().fileBytes(), 0u);
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    EXPECT_EQ(entry.path().filename().string().find("keydir-answers"), std::string::npos)
        << entry.path();
  }
  // This process holds it open in the database's directory, with no name
  // (the kernel calls an unlinked or unnamed file "... (deleted)").
  bool found = false;
  for (const auto& fd : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code error;
    const std::string target = std::filesystem::read_symlink(fd.path(), error).string();
    if (target.rfind(dir_.path().string() + "/", 0) == 0 &&
        target.find("(deleted)") != std::string::npos) {
      found = true;
    }
  }
  EXPECT_TRUE(found) << "no unnamed file open in " << dir_.path();
}

TEST_F(LookupAnswersTest, OffMeansNoneAreHeld) {
  config_.lookup_answers_mib = 0;
  startServer();
  EXPECT_EQ(server_->service().lookup_answers, nullptr);
  std::string id = registered(pki_->acme);
  EXPECT_EQ(idsFor("12025550150"), std::vector<std::string>{id});
}

}  // namespace
}  // namespace keydir
