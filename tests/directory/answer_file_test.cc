// The held answers' file (directory/answer_file.h): what is written reads
// back, space given back joins its neighbours and is used again, nothing
// is written where it does not fit, and a file that cannot be made or
// written says why.
#include "directory/answer_file.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace keydir {
namespace {

constexpr std::size_t kCapacity = 64 * 1024;

class AnswerFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = AnswerFile::open(dir_.path().string(), kCapacity);
    ASSERT_TRUE(opened) << opened.error().message;
    file_ = std::move(*opened);
  }
  std::uint64_t written(const std::string& etag, const std::string& body) {
    auto place = file_->write({etag, body});
    EXPECT_TRUE(place) << place.error().message;
    EXPECT_TRUE(place && *place) << "no room for " << body.size() << " bytes";
    return place && *place ? **place : ~std::uint64_t(0);
  }

  testing::TempDir dir_;
  std::unique_ptr<AnswerFile> file_;
};

TEST_F(AnswerFileTest, WhatIsWrittenReadsBackWhereverItWasPut) {
  std::vector<std::pair<std::uint64_t, std::string>> bodies;
  for (int i = 0; i < 20; ++i) {
    std::string body(100 + 97 * i, char('a' + i));
    bodies.emplace_back(written("\"etag-" + std::to_string(i) + "\"", body), body);
  }
  for (int i = 0; i < 20; ++i) {
    const AnswerFile::Record record = file_->read(bodies[i].first);
    EXPECT_EQ(record.etag, "\"etag-" + std::to_string(i) + "\"");
    EXPECT_EQ(record.body, bodies[i].second);
  }
}

TEST_F(AnswerFileTest, TheFileHasNoNameAndTakesItsSizeInTheMapNotOnDisk) {
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path())) << "a file was left with a name";
  EXPECT_EQ(file_->capacity(), kCapacity);
  EXPECT_EQ(file_->usedBytes(), 0u);
  written("e", std::string(1000, 'x'));
  EXPECT_EQ(file_->usedBytes(), AnswerFile::roomFor({"e", std::string(1000, 'x')}));
}

TEST_F(AnswerFileTest, SpaceGivenBackJoinsItsNeighboursAndIsUsedAgain) {
  // Fill the file with records of a sixteenth each, then give them back
  // in an order that leaves holes on both sides before they join.
  const std::string body(kCapacity / 16 - 64, 'b');
  std::vector<std::uint64_t> places;
  for (int i = 0; i < 16; ++i) places.push_back(written("e", body));
  auto none = file_->write({"e", body});
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none) << "a seventeenth sixteenth fitted";
  EXPECT_FALSE(file_->fits(AnswerFile::roomFor({"e", body})));
  for (int i : {1, 3, 2, 0, 15, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 14}) file_->giveBack(places[i]);
  EXPECT_EQ(file_->usedBytes(), 0u);
  // Joined again into one stretch: a record of half the file fits.
  const std::string half(kCapacity / 2 - 64, 'h');
  EXPECT_TRUE(file_->fits(AnswerFile::roomFor({"e", half})));
  EXPECT_EQ(file_->read(written("e", half)).body, half);
}

TEST_F(AnswerFileTest, ARecordGoesToTheSmallestStretchItFits) {
  const std::string small(200, 's');
  const std::string large(4000, 'l');
  const std::uint64_t a = written("e", large);
  written("e", small);  // keeps a's stretch from joining the rest
  file_->giveBack(a);
  // The hole a left is smaller than the rest of the file: a small record
  // goes there, not to the large stretch at the end.
  EXPECT_EQ(written("e", small), a);
}

TEST_F(AnswerFileTest, ClearGivesBackEverything) {
  for (int i = 0; i < 10; ++i) written("e", std::string(3000, 'c'));
  file_->clear();
  EXPECT_EQ(file_->usedBytes(), 0u);
  EXPECT_TRUE(file_->fits(kCapacity));
}

TEST_F(AnswerFileTest, AWriteThatFailsSaysWhyAndLeavesTheSpaceFree) {
  // A file size limit below the first write makes pwrite fail as a full
  // disk would; SIGXFSZ is ignored so that the call returns its error.
  struct rlimit before;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &before), 0);
  auto* old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit tight = before;
  tight.rlim_cur = 100;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &tight), 0);
  auto place = file_->write({"e", std::string(1000, 'x')});
  setrlimit(RLIMIT_FSIZE, &before);
  std::signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(place);
  EXPECT_EQ(place.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(place.error().message.find("cannot write a held lookup answer"), std::string::npos)
      << place.error().message;
  EXPECT_EQ(file_->usedBytes(), 0u);
  EXPECT_TRUE(file_->fits(kCapacity));
}

TEST(AnswerFileOpenTest, ADirectoryThatIsNotThereIsNamedInTheError) {
  auto file = AnswerFile::open("/nonexistent/keydir-answers", kCapacity);
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(file.error().message.find("/nonexistent/keydir-answers"), std::string::npos)
      << file.error().message;
}

TEST(AnswerFileOpenTest, AFileTooSmallForAnAnswerIsRefused) {
  testing::TempDir dir;
  auto file = AnswerFile::open(dir.path().string(), 1000);
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, ErrorCode::kMalformed);
}

}  // namespace
}  // namespace keydir
