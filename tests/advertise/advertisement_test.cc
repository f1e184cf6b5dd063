#include "advertise/advertisement.h"

#include <gtest/gtest.h>

#include "tests/support/expect_error.h"

namespace keydir {
namespace {

using testing::expectError;

std::string pairs(int count) {
  std::string payload = "{";
  for (int i = 0; i < count; ++i) {
    if (i) payload += ',';
    payload += "\"2-1312555" + std::to_string(1000 + i) + "\":\"https://c.example\"";
  }
  return payload + "}";
}

TEST(AdvertisementTest, ParsesTheDraftsObjectInOrder) {
  auto entries = parseAdvertisementPayload(
      R"({"0-1234":"https://cps.example.com","1-15714341000-99":"https://cps2.example.com/x"})");
  ASSERT_TRUE(entries) << entries.error().message;
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].scope.toString(), "0-1234");
  EXPECT_EQ((*entries)[0].uri, "https://cps.example.com");
  EXPECT_EQ((*entries)[1].scope.toString(), "1-15714341000-99");
  EXPECT_EQ(
      advertisementPayload(*entries),
      R"({"0-1234":"https://cps.example.com","1-15714341000-99":"https://cps2.example.com/x"})");
}

TEST(AdvertisementTest, AtMostAThousandPairs) {
  auto thousand = parseAdvertisementPayload(pairs(1000));
  ASSERT_TRUE(thousand) << thousand.error().message;
  EXPECT_EQ(thousand->size(), 1000u);
  expectError(parseAdvertisementPayload(pairs(1001)), ErrorCode::kMalformed,
              "has 1001 scope/URI pairs; at most 1000 are accepted");
  expectError(parseAdvertisementPayload("{}"), ErrorCode::kMalformed, "no scope/URI pairs");
}

TEST(AdvertisementTest, RefusesWhatIsNotTheObject) {
  expectError(parseAdvertisementPayload("[]"), ErrorCode::kMalformed, "not a JSON object");
  expectError(parseAdvertisementPayload("{\"0-1234\":"), ErrorCode::kMalformed,
              "not a JSON object");
  expectError(parseAdvertisementPayload(R"({"0-1234":7})"), ErrorCode::kMalformed,
              "entry 0-1234 is not a string URI");
  expectError(parseAdvertisementPayload(R"({"3-1234":"https://c.example"})"), ErrorCode::kMalformed,
              "advertisement scope '3-1234'");
  expectError(parseAdvertisementPayload(R"({"1-15714341000-1":"https://c.example"})"),
              ErrorCode::kMalformed, "advertisement scope '1-15714341000-1'");
  expectError(parseAdvertisementPayload(R"({"0-1234":"http://c.example"})"), ErrorCode::kMalformed,
              "entry 0-1234: CPS URI 'http://c.example' uses scheme 'http'");
  expectError(parseAdvertisementPayload(R"({"0-1234":"https://u@c.example"})"),
              ErrorCode::kMalformed, "has userinfo");
}

TEST(AdvertisementTest, RefusesAScopeNamedTwice) {
  expectError(
      parseAdvertisementPayload(R"({"0-1234":"https://a.example","0-1234":"https://b.example"})"),
      ErrorCode::kMalformed, "names scope '0-1234' twice");
  auto scope = TnScope::parse("0-1234").value();
  expectError(checkCpsEntries({{scope, "https://a.example"}, {scope, "https://b.example"}}),
              ErrorCode::kMalformed, "names scope '0-1234' twice");
}

TEST(AdvertisementTest, ParsesCommandLineEntries) {
  auto entry = parseCpsEntryAssignment("2-12025550150=https://cps.example.com/a=b");
  ASSERT_TRUE(entry) << entry.error().message;
  EXPECT_EQ(entry->scope.toString(), "2-12025550150");
  EXPECT_EQ(entry->uri, "https://cps.example.com/a=b");
  expectError(parseCpsEntryAssignment("0-1234"), ErrorCode::kMalformed, "is not SCOPE=URI");
  expectError(parseCpsEntryAssignment("0-1234=http://c.example"), ErrorCode::kMalformed,
              "over https");
}

}  // namespace
}  // namespace keydir
