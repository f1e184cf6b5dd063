#include "certs/tn_auth_list.h"

#include <gtest/gtest.h>

#include "certs/der.h"

namespace keydir {
namespace {

std::string fromHex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += char(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

TEST(TnAuthList, DecodesEachEntryKind) {
  // SEQUENCE { [0] "1234", [1] SEQUENCE { "12025550100", 100 }, [2] "12025550199" }
  std::string der =
      encodeTnAuthList(parseScopes({"0-1234", "1-12025550100-100", "2-12025550199"}).value());
  auto scopes = decodeTnAuthList(der);
  ASSERT_TRUE(scopes) << scopes.error().message;
  EXPECT_EQ(scopeStrings(*scopes),
            (std::vector<std::string>{"0-1234", "1-12025550100-100", "2-12025550199"}));
}

TEST(TnAuthList, EncodesWithExplicitTagsAsRfc8226) {
  EXPECT_EQ(encodeTnAuthList(parseScopes({"0-6628"}).value()), fromHex("3008A006160436363238"));
  // Count 128 needs a leading zero byte to stay positive.
  EXPECT_EQ(encodeTnAuthList(parseScopes({"1-111-128"}).value()),
            fromHex("300DA10B3009160331313102020080"));
}

TEST(TnAuthList, LargeListUsesLongFormLengths) {
  std::vector<std::string> texts;
  for (int i = 0; i < 40; ++i) texts.push_back("2-120255501" + std::to_string(10 + i));
  auto scopes = parseScopes(texts).value();
  EXPECT_EQ(decodeTnAuthList(encodeTnAuthList(scopes)).value(), scopes);
}

TEST(TnAuthList, RejectsMalformedDer) {
  struct Case {
    const char* name;
    std::string der;
    const char* says;
  };
  const Case cases[] = {
      {"truncated", fromHex("3008A0061604363632"), "truncated"},
      {"wrong outer tag", fromHex("3108A006160436363238"), "expected tag 0x30"},
      {"wrong entry tag", fromHex("3008A306160436363238"), "expected [0] SPC"},
      {"spc not IA5String", fromHex("3008A006130436363238"), "expected tag 0x16"},
      {"bad characters", fromHex("3008A206160431323361"), "other than a digit"},
      {"star in number", fromHex("3007A20516032A3132"), "other than a digit"},
      {"count below 2",
       fromHex("300CA10A3008160331313102010"
               "1"),
       "below 2"},
      {"range crossing digit length",
       fromHex("300CA10A300816033939390201"
               "02"),
       "leaves its"},
      {"negative count", fromHex("300CA10A30081603313131020180"), "negative"},
      {"empty list", fromHex("3000"), "empty"},
      {"trailing bytes", fromHex("3008A00616043636323800"), "after its end"},
      {"indefinite length",
       fromHex("3080A006160436363238"
               "0000"),
       "indefinite"},
      {"non-minimal length", fromHex("308108A006160436363238"), "shortest form"},
      {"number too long",
       fromHex("3014A2121610"
               "31323334353637383930313233343536"),
       "1 to 15"},
      {"botan's two pairs in one range",
       fromHex("3025A006160431303031A1143012160331313102020080160332323202020100A2051603333333"),
       "after its count"},
  };
  for (const Case& c : cases) {
    auto scopes = decodeTnAuthList(c.der);
    ASSERT_FALSE(scopes) << c.name;
    EXPECT_EQ(scopes.error().code, ErrorCode::kMalformed) << c.name;
    EXPECT_NE(scopes.error().message.find(c.says), std::string::npos)
        << c.name << ": " << scopes.error().message;
  }
}

TEST(TnAuthList, ErrorNamesTheEntry) {
  auto scopes =
      decodeTnAuthList(fromHex("300EA006160436363238A2041602"
                               "3161"));
  ASSERT_FALSE(scopes);
  EXPECT_NE(scopes.error().message.find("entry 2"), std::string::npos) << scopes.error().message;
}

}  // namespace
}  // namespace keydir
