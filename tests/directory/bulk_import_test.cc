#include "directory/bulk_import.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "certs/credential_issuer.h"
#include "directory/store/sql_feed_store.h"
#include "directory/store/sql_key_store.h"
#include "tests/support/digest_by_hand.h"
#include "tests/support/test_pki.h"

namespace keydir {
namespace {

using testing::Identity;

class BulkImportTest : public testing::SharedPkiTest {
 protected:
  void SetUp() override {
    store_ = SqlKeyStore::open(dir_ / "keydir.db").value();
    registry_ = std::make_unique<KeyRegistry>(*store_, pki_->trust(), KeyPolicy{});
    // acme's chain runs through a range that lies in the carrier's SPC.
    ASSERT_TRUE(
        store_->importSpcMap({{TnScope::parse("1-12025550000-10000").value(), "1234"}}, {}));
  }
  static std::string line(const Identity& who) {
    auto issued = issueCredential(who.chain, who.key.get(), KeyType::kX25519,
                                  std::chrono::hours(24), pki_->now());
    return registrationBody(issued.value().credential, who.chain).dump();
  }

  testing::TempDir dir_;
  std::unique_ptr<SqlKeyStore> store_;
  std::unique_ptr<KeyRegistry> registry_;
  ManualClock clock_{pki_->now()};
};

TEST_F(BulkImportTest, ManySmallBatchesLoseNothingAndNameTheRightLines) {
  // Batches of 3 lines: each is verified while the one before is stored.
  std::vector<std::string> lines;
  for (int i = 0; i < 4; ++i) lines.push_back(line(pki_->acme));
  lines.push_back("{\"dc\":\"not a credential\"}");  // line 5
  for (int i = 0; i < 3; ++i) lines.push_back(line(pki_->carrier));
  lines.push_back("");                  // line 9: skipped, still counted
  lines.push_back(line(pki_->direct));  // line 10: no DelegationUsage
  lines.push_back(lines[0]);            // line 11: already there
  std::stringstream in;
  for (const auto& text : lines) in << text << "\n";

  std::vector<std::size_t> refused_lines;
  std::size_t batches = 0;
  ImportOptions options;
  options.batch_lines = 3;
  options.on_refused = [&](std::size_t number, const Error&) { refused_lines.push_back(number); };
  options.on_progress = [&](const ImportCounts&) { ++batches; };
  auto counts = importKeys(in, *registry_, clock_, options);
  ASSERT_TRUE(counts) << counts.error().message;
  EXPECT_EQ(counts->lines, 11u);
  EXPECT_EQ(counts->imported, 7u);
  EXPECT_EQ(counts->already_present, 1u);
  EXPECT_EQ(counts->refused, 2u);
  EXPECT_EQ(refused_lines, (std::vector<std::size_t>{5, 10}));
  EXPECT_EQ(batches, 4u);
  EXPECT_EQ(store_->counts(clock_.now()).value().keys, 7);
}

// A batch writes the feed's head once, at its end (HeldFeedHead): the head
// must still be the last change's, with the digest of what is live, and a
// write after the import must carry on from it.
TEST_F(BulkImportTest, TheFeedsHeadAfterBatchesIsTheLastChangesAndCarriesOn) {
  std::stringstream in;
  for (int i = 0; i < 3; ++i) in << line(pki_->acme) << "\n" << line(pki_->carrier) << "\n";
  ImportOptions options;
  options.batch_lines = 4;
  auto counts = importKeys(in, *registry_, clock_, options);
  ASSERT_TRUE(counts) << counts.error().message;
  ASSERT_EQ(counts->imported, 6u);  // three each: the policy's limit is four
  auto after_import = [&](std::size_t more_keys) {
    SqlFeedStore feed(store_->pool());
    FeedStatus status = feed.status().value();
    FeedPage page = feed.changes(0, 1000, false).value();
    ASSERT_FALSE(page.changes.empty());
    EXPECT_EQ(status.sequence, page.changes.back().seq);
    EXPECT_EQ(status.sequence, page.to);
    EXPECT_EQ(status.digest, page.digest);
    std::set<std::pair<std::string, std::string>> live;
    feed.snapshot(
        false, [](std::int64_t) { return true; },
        [&](const SnapshotRecord& record) {
          live.emplace(record.kind, record.id);
          return true;
        });
    EXPECT_EQ(live.size(), 1 + 6 + more_keys) << "the SPC-map entry and the keys";
    EXPECT_EQ(status.digest, testing::digestByHand(live));
  };
  after_import(0);
  // One key alone (its own transaction, the head written as it goes).
  auto one = registry_->prepareKey(line(pki_->acme), clock_.now());
  ASSERT_TRUE(one) << one.error().message;
  ASSERT_TRUE(store_->insertKey(*one, clock_.now(), 100));
  after_import(1);
}

}  // namespace
}  // namespace keydir
