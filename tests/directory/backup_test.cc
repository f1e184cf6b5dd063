// keydir backup's copy, taken while a running directory registers keys: it
// passes SQLite's integrity check and holds every key acknowledged before
// the backup began.

#include "directory/store/backup.h"

#include <atomic>
#include <thread>

#include "directory/store/sqlite.h"
#include "tests/directory/feed_fixture.h"
#include "tests/support/expect_error.h"

namespace keydir {
namespace {

using testing::expectError;
using testing::FeedTest;
using testing::readText;
using testing::writeText;

TEST_F(FeedTest, ABackupDuringRegistrationsHoldsEveryKeyAcknowledgedBeforeIt) {
  startServer();
  std::vector<std::string> acknowledged;
  for (int i = 0; i < 20; ++i) acknowledged.push_back(registered(pki_->acme));

  // A second client registers without pause while the backup runs.
  std::atomic<bool> done{false};
  std::atomic<int> during{0};
  std::vector<std::string> bodies;
  for (int i = 0; i < 40; ++i) bodies.push_back(body(pki_->acme));
  std::thread writer([&] {
    auto client = DirectoryClient::create(client_->baseUrl(), "").value();
    for (std::size_t i = 0; !done; i = (i + 1) % bodies.size()) {
      auto answer = client.request("POST", "/v1/keys", bodies[i], "application/json");
      if (answer && answer->status == 201) ++during;
    }
  });
  while (during < 3) std::this_thread::yield();
  auto report = backupDatabase(dir_ / "keydir.db", dir_ / "copy.db");
  while (during < 10) std::this_thread::yield();
  done = true;
  writer.join();
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->integrity, "ok");
  EXPECT_GT(report->pages, 0);
  EXPECT_GT(report->bytes, 0);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "copy.db.partial"));

  auto copy = SqliteDatabase::open(dir_ / "copy.db").value();
  auto check = copy->prepare("PRAGMA integrity_check").value();
  ASSERT_TRUE(check.step().value());
  EXPECT_EQ(check.text(0), "ok");
  for (const auto& id : acknowledged) {
    auto select = copy->prepare("SELECT COUNT(*) FROM keys WHERE id = ?1").value();
    select.bind(1, id);
    ASSERT_TRUE(select.step().value());
    EXPECT_EQ(select.integer(0), 1) << "key " << id << " was acknowledged before the backup";
  }
}

TEST_F(FeedTest, ABackupNeverOverwritesAndNeverInventsADatabase) {
  startServer();
  registered(pki_->acme);
  writeText(dir_ / "taken.db", "precious");
  expectError(backupDatabase(dir_ / "keydir.db", dir_ / "taken.db"), ErrorCode::kMalformed,
              "exists; a backup never overwrites");
  EXPECT_EQ(readText(dir_ / "taken.db"), "precious");
  expectError(backupDatabase(dir_ / "typo.db", dir_ / "copy.db"), ErrorCode::kNotFound,
              "no database at");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "typo.db"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "copy.db"));
}

}  // namespace
}  // namespace keydir
