#include "directory/bulk_import.h"

#include <gtest/gtest.h>

#include <sstream>

#include "certs/credential_issuer.h"
#include "directory/store/sql_key_store.h"
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

}  // namespace
}  // namespace keydir
