#include "advertise/cps_resolution.h"

#include <gtest/gtest.h>

#include "certs/in_memory_spc_map.h"

namespace keydir {
namespace {

CpsEntry entry(const char* scope, const char* uri) { return {TnScope::parse(scope).value(), uri}; }

std::vector<std::string> uris(const std::vector<CpsEntry>& entries) {
  std::vector<std::string> list;
  for (const auto& e : entries) list.push_back(e.uri);
  return list;
}

TEST(CpsResolutionTest, MostSpecificFirst) {
  InMemorySpcMap map;
  map.add({TnScope::parse("1-12025550000-10000").value(), "1234"});
  std::vector<CpsEntry> entries = {
      entry("0-1234", "https://spc"),
      entry("1-12025550000-1000", "https://range1000"),
      entry("2-12025550150", "https://number"),
      entry("1-12025550100-100", "https://range100"),
      entry("2-12025550151", "https://neighbour"),
      entry("0-9999", "https://other-spc"),
  };
  EXPECT_EQ(uris(resolveCps("12025550150", entries, &map)),
            (std::vector<std::string>{"https://number", "https://range100", "https://range1000",
                                      "https://spc"}));
  EXPECT_EQ(uris(resolveCps("12025559999", entries, &map)),
            (std::vector<std::string>{"https://spc"}));
  EXPECT_EQ(uris(resolveCps("12025550150", entries, nullptr)),
            (std::vector<std::string>{"https://number", "https://range100", "https://range1000"}));
  EXPECT_TRUE(resolveCps("14155550123", entries, &map).empty());
}

TEST(CpsResolutionTest, EquallySpecificEntriesKeepTheirOrder) {
  std::vector<CpsEntry> entries = {entry("2-12025550150", "https://first"),
                                   entry("2-12025550150", "https://second")};
  EXPECT_EQ(uris(resolveCps("12025550150", entries, nullptr)),
            (std::vector<std::string>{"https://first", "https://second"}));
}

}  // namespace
}  // namespace keydir
