// What a CPS takes as one caller's entry, and each thing it refuses.

#include "cps/entry_rules.h"

#include <gtest/gtest.h>

#include "certs/base64.h"
#include "certs/jwe.h"
#include "certs/key_pair.h"

namespace keydir {
namespace {

std::string aJwe(KeyType type = KeyType::kX25519, std::string_view kid = "kid-1") {
  EvpPkeyPtr key = generateKey(type);
  return encryptJwe("a PASSporT", key.get(), kid).value();
}

// `jwe` with its protected header replaced by `header`.
std::string withHeader(const std::string& jwe, const nlohmann::json& header) {
  return base64UrlEncode(header.dump()) + jwe.substr(jwe.find('.'));
}

nlohmann::json headerOf(const std::string& jwe) { return jweHeader(jwe).value(); }

TEST(EntryRules, AnEntryOfJwesAsKeydirEncryptMakesThemIsTaken) {
  const std::vector<std::string> jwes = {aJwe(KeyType::kX25519), aJwe(KeyType::kP256)};
  auto length = checkEntryJwes(jwes, {});
  ASSERT_TRUE(length) << length.error().message;
  EXPECT_EQ(*length, std::string("a PASSporT").size());
}

TEST(EntryRules, ABodyIsJwesInJsonOrOneJweAsApplicationJose) {
  const std::string jwe = aJwe();
  EXPECT_EQ(entryJwesFromBody("{\"jwes\":[\"" + jwe + "\"]}", "application/json").value(),
            std::vector<std::string>{jwe});
  EXPECT_EQ(entryJwesFromBody(jwe + "\n", "application/jose; charset=utf-8").value(),
            std::vector<std::string>{jwe});
  // What `keydir encrypt` prints: {"kid", "alg", "jwe"} objects.
  EXPECT_EQ(
      entryJwesFromBody("{\"jwes\":[{\"kid\":\"k\",\"alg\":\"X25519\",\"jwe\":\"" + jwe + "\"}]}",
                        "application/json")
          .value(),
      std::vector<std::string>{jwe});
  for (const char* body : {"", "[]", "{\"jwes\":\"x\"}", "{\"jwes\":[1]}", "{\"other\":[]}"}) {
    auto refused = entryJwesFromBody(body, "application/json");
    ASSERT_FALSE(refused) << body;
    EXPECT_EQ(refused.error().code, ErrorCode::kMalformed);
  }
}

struct BadEntry {
  std::string name;
  std::vector<std::string> jwes;
  std::string says;
};

class EntryRulesRefusal : public ::testing::TestWithParam<BadEntry> {};

TEST_P(EntryRulesRefusal, IsMalformedAndSaysWhy) {
  EntryLimits limits;
  limits.max_jwe_bytes = 2048;
  limits.max_jwes = 3;
  auto refused = checkEntryJwes(GetParam().jwes, limits);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kMalformed);
  EXPECT_NE(refused.error().message.find(GetParam().says), std::string::npos)
      << refused.error().message;
}

std::vector<BadEntry> badEntries() {
  const std::string good = aJwe();
  nlohmann::json header = headerOf(good);
  nlohmann::json wrong_alg = header, wrong_enc = header, no_kid = header, no_epk = header,
                 empty_kid = header;
  wrong_alg["alg"] = "RSA-OAEP";
  wrong_enc["enc"] = "A128CBC-HS256";
  no_kid.erase("kid");
  empty_kid["kid"] = "";
  no_epk.erase("epk");
  const std::string iv_and_rest = good.substr(good.find("..") + 2);
  return {
      {"NotCompact", {"not a jwe"}, "five dot-separated parts"},
      {"AJws", {"eyJhbGciOiJFUzI1NiJ9.e30.c2ln"}, "five dot-separated parts"},
      {"WrongAlg", {withHeader(good, wrong_alg)}, "RSA-OAEP"},
      {"WrongEnc", {withHeader(good, wrong_enc)}, "A128CBC-HS256"},
      {"NoKid", {withHeader(good, no_kid)}, "no \"kid\""},
      {"EmptyKid", {withHeader(good, empty_kid)}, "no \"kid\""},
      {"NoEpk", {withHeader(good, no_epk)}, "no \"epk\""},
      {"AnEncryptedKey",
       {good.substr(0, good.find('.')) + ".AAAA." + iv_and_rest},
       "empty encrypted key"},
      {"TooLarge",
       {good.substr(0, good.find("..") + 2) + std::string(3000, 'A') + iv_and_rest},
       "over the limit of 2048"},
      {"TooMany", {good, good, good, good}, "1 to 3 JWEs"},
      {"None", {}, "1 to 3 JWEs"},
      {"TheSecondIsBad", {good, "x.y"}, "JWE 2 of 2"},
  };
}

INSTANTIATE_TEST_SUITE_P(EachBadEntry, EntryRulesRefusal, ::testing::ValuesIn(badEntries()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace keydir
