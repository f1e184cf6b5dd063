#include "advertise/advertisement_verifier.h"

#include <gtest/gtest.h>

#include "advertise/advertisement_signer.h"
#include "certs/base64.h"
#include "certs/es256.h"
#include "certs/jws.h"
#include "certs/key_pair.h"
#include "tests/support/cps_entries.h"
#include "tests/support/expect_error.h"
#include "tests/support/test_pki.h"

namespace keydir {
namespace {

using testing::cpsEntries;
using testing::expectError;
using testing::Identity;

class AdvertisementVerifierTest : public testing::SharedPkiTest {
 protected:
  static Result<std::string> sign(const std::vector<CpsEntry>& list, const Identity& signer,
                                  std::optional<Instant> exp = {}) {
    return signAdvertisement({list, pki_->now(), exp}, signer.key.get(), signer.chain);
  }
  static Result<VerifiedAdvertisement> verify(std::string_view jws, const SpcMap* map = nullptr) {
    return verifyAdvertisement(jws, pki_->trust(), pki_->now(), map ? map : &pki_->spcMap());
  }
  // A JWS with any header and payload, signed by `key` over exactly them.
  static std::string handMade(const nlohmann::json& header, std::string_view payload,
                              EVP_PKEY* key) {
    std::string input = base64UrlEncode(header.dump()) + "." + base64UrlEncode(payload);
    return input + "." + base64UrlEncode(signRaw(key, input).value());
  }
  static nlohmann::json header(const Identity& signer) {
    return {{"alg", "ES256"},
            {"typ", "cps-ad"},
            {"iat", pki_->now().time_since_epoch().count()},
            {"x5c", x5cStrings(signer.chain)}};
  }
};

TEST_F(AdvertisementVerifierTest, CarrierAdvertisesItsSpcAndRange) {
  auto jws = sign(cpsEntries({{"0-1234", "https://cps.carrier.example"},
                              {"1-13125550000-10000", "https://cps2.carrier.example/v1"}}),
                  pki_->carrier);
  ASSERT_TRUE(jws) << jws.error().message;
  auto verified = verify(*jws);
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(verified->id, advertisementId(*jws));
  EXPECT_EQ(verified->id.size(), 43u);
  EXPECT_EQ(verified->entries.size(), 2u);
  EXPECT_EQ(verified->entries[1].uri, "https://cps2.carrier.example/v1");
  EXPECT_EQ(verified->iat, pki_->now());
  EXPECT_FALSE(verified->exp);
  EXPECT_EQ(verified->expires, verified->chain.leaf_not_after);
  EXPECT_EQ(verified->signer.size(), 64u);

  auto parsed = parseJws(*jws).value();
  EXPECT_EQ(parsed.header["typ"], "cps-ad");
  EXPECT_EQ(parsed.header["alg"], "ES256");
  EXPECT_EQ(parsed.header["iat"], pki_->now().time_since_epoch().count());
  EXPECT_FALSE(parsed.header.contains("exp"));
}

TEST_F(AdvertisementVerifierTest, ScopeOutsideTheSignersAuthorityIsRefused) {
  // acme holds 1-12025550100-100.
  EXPECT_TRUE(
      verify(*sign(cpsEntries({{"2-12025550199", "https://cps.acme.example"}}), pki_->acme)));
  expectError(
      verify(*sign(cpsEntries({{"2-12025550200", "https://cps.acme.example"}}), pki_->acme)),
      ErrorCode::kNotAuthorized, "does not cover the advertisement");
  expectError(
      verify(*sign(cpsEntries({{"1-12025550100-101", "https://cps.acme.example"}}), pki_->acme)),
      ErrorCode::kNotAuthorized, "1-12025550100-101");
  // The reseller's range lies inside SPC 1234, but the SPC holds more.
  expectError(verify(*sign(cpsEntries({{"0-1234", "https://cps.example"}}), pki_->reseller)),
              ErrorCode::kNotAuthorized, "0-1234");
}

TEST_F(AdvertisementVerifierTest, SpcAuthorityCoversRangesThroughTheMap) {
  // The carrier holds 0-1234; the map puts 12025550000-12025559999 in it.
  auto jws = sign(cpsEntries({{"1-12025550000-1000", "https://cps.example"}}), pki_->carrier);
  ASSERT_TRUE(jws);
  EXPECT_TRUE(verify(*jws));
  InMemorySpcMap empty;
  expectError(verify(*jws, &empty), ErrorCode::kNotAuthorized, "1-12025550000-1000");
  expectError(
      verify(*sign(cpsEntries({{"1-12025560000-1000", "https://cps.example"}}), pki_->carrier)),
      ErrorCode::kNotAuthorized, "1-12025560000-1000");
}

TEST_F(AdvertisementVerifierTest, HttpAndUserinfoUrisAreRefused) {
  EXPECT_TRUE(verify(*sign(cpsEntries({{"0-1234", "https://cps.example"}}), pki_->carrier)));
  // Signed by hand: the signer refuses to make these.
  expectError(verify(handMade(header(pki_->carrier), R"({"0-1234":"http://cps.example"})",
                              pki_->carrier.key.get())),
              ErrorCode::kMalformed, "a CPS must be reached over https");
  expectError(verify(handMade(header(pki_->carrier), R"({"0-1234":"https://me@cps.example"})",
                              pki_->carrier.key.get())),
              ErrorCode::kMalformed, "has userinfo");
  expectError(sign(cpsEntries({{"0-1234", "http://cps.example"}}), pki_->carrier),
              ErrorCode::kMalformed, "over https");
}

TEST_F(AdvertisementVerifierTest, AtMostAThousandPairs) {
  auto many = [](int count) {
    std::vector<CpsEntry> list;
    for (int i = 0; i < count; ++i) {
      list.push_back(
          {TnScope::number("1312555" + std::to_string(1000 + i)).value(), "https://c.example"});
    }
    return list;
  };
  auto thousand = sign(many(1000), pki_->carrier);
  ASSERT_TRUE(thousand) << thousand.error().message;
  EXPECT_TRUE(verify(*thousand));
  std::string payload = advertisementPayload(many(1001));
  expectError(verify(handMade(header(pki_->carrier), payload, pki_->carrier.key.get())),
              ErrorCode::kMalformed, "has 1001 scope/URI pairs; at most 1000");
  expectError(sign(many(1001), pki_->carrier), ErrorCode::kMalformed, "has 1001");
}

TEST_F(AdvertisementVerifierTest, LargerThan64KibIsRefused) {
  std::string long_uri = "https://c.example/" + std::string(70 * 1024, 'a');
  std::string jws =
      handMade(header(pki_->carrier), R"({"0-1234":")" + long_uri + "\"}", pki_->carrier.key.get());
  expectError(verify(jws), ErrorCode::kPayloadTooLarge, "at most 65536 are accepted");
}

TEST_F(AdvertisementVerifierTest, ExpInThePastIsExpired) {
  auto list = cpsEntries({{"0-1234", "https://cps.example"}});
  auto future = sign(list, pki_->carrier, pki_->now() + std::chrono::hours(24));
  ASSERT_TRUE(future);
  auto verified = verify(*future);
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(verified->expires, pki_->now() + std::chrono::hours(24));

  nlohmann::json past = header(pki_->carrier);
  past["iat"] = (pki_->now() - std::chrono::hours(2)).time_since_epoch().count();
  past["exp"] = (pki_->now() - std::chrono::hours(1)).time_since_epoch().count();
  expectError(verify(handMade(past, advertisementPayload(list), pki_->carrier.key.get())),
              ErrorCode::kExpired, "advertisement expired at");
}

TEST_F(AdvertisementVerifierTest, ExpIsClampedToTheLeafsNotAfter) {
  auto list = cpsEntries({{"0-1234", "https://cps.example"}});
  auto jws = sign(list, pki_->carrier, pki_->now() + std::chrono::days(36500));
  ASSERT_TRUE(jws);
  auto verified = verify(*jws).value();
  EXPECT_EQ(verified.exp, verified.chain.leaf_not_after);
  EXPECT_EQ(verified.expires, verified.chain.leaf_not_after);
}

TEST_F(AdvertisementVerifierTest, BrokenTimesAreMalformed) {
  std::string payload = R"({"0-1234":"https://cps.example"})";
  nlohmann::json no_iat = header(pki_->carrier);
  no_iat.erase("iat");
  expectError(verify(handMade(no_iat, payload, pki_->carrier.key.get())), ErrorCode::kMalformed,
              "needs \"iat\"");
  nlohmann::json future = header(pki_->carrier);
  future["iat"] = (pki_->now() + std::chrono::hours(1)).time_since_epoch().count();
  expectError(verify(handMade(future, payload, pki_->carrier.key.get())), ErrorCode::kMalformed,
              "is in the future");
  nlohmann::json backwards = header(pki_->carrier);
  backwards["exp"] = (pki_->now() - std::chrono::seconds(1)).time_since_epoch().count();
  expectError(verify(handMade(backwards, payload, pki_->carrier.key.get())), ErrorCode::kMalformed,
              "is not after its iat");
}

TEST_F(AdvertisementVerifierTest, SignatureByAnotherKeyIsRefused) {
  std::string payload = R"({"0-1234":"https://cps.example"})";
  EXPECT_TRUE(verify(handMade(header(pki_->carrier), payload, pki_->carrier.key.get())));
  EvpPkeyPtr stranger = generateKey(KeyType::kP256);
  expectError(verify(handMade(header(pki_->carrier), payload, stranger.get())),
              ErrorCode::kBadSignature, "does not verify with the key of the x5c leaf");
  // The signer refuses a key that is not the leaf's.
  expectError(signAdvertisement({cpsEntries({{"0-1234", "https://cps.example"}}), pki_->now(), std::nullopt},
                                stranger.get(), pki_->carrier.chain),
              ErrorCode::kBadSignature, "does not belong to the leaf");
}

TEST_F(AdvertisementVerifierTest, X5cThatIsNotTheSignersIsRefused) {
  // The carrier signs but presents acme's chain: valid chain, wrong key.
  std::string payload = R"({"2-12025550150":"https://cps.example"})";
  EXPECT_TRUE(verify(handMade(header(pki_->acme), payload, pki_->acme.key.get())));
  expectError(verify(handMade(header(pki_->acme), payload, pki_->carrier.key.get())),
              ErrorCode::kBadSignature, "does not verify with the key of the x5c leaf");
  nlohmann::json no_x5c = header(pki_->carrier);
  no_x5c.erase("x5c");
  expectError(verify(handMade(no_x5c, payload, pki_->carrier.key.get())), ErrorCode::kMalformed,
              "needs 'x5c'");
}

TEST_F(AdvertisementVerifierTest, AlgOtherThanEs256IsRefused) {
  std::string payload = base64UrlEncode(std::string(R"({"0-1234":"https://cps.example"})"));
  for (const char* alg : {"none", "HS256", "ES384"}) {
    nlohmann::json forged = header(pki_->carrier);
    forged["alg"] = alg;
    // HS256 keyed with the leaf's public key is the classic confusion attack.
    std::string signature = std::string(alg) == "none" ? "" : base64UrlEncode(std::string(32, 'x'));
    std::string jws = base64UrlEncode(forged.dump()) + "." + payload + "." + signature;
    expectError(verify(jws), ErrorCode::kBadSignature, "is refused; only ES256 is accepted");
  }
}

TEST_F(AdvertisementVerifierTest, WrongTypIsMalformed) {
  std::string payload = R"({"0-1234":"https://cps.example"})";
  nlohmann::json other = header(pki_->carrier);
  other["typ"] = "passport";
  expectError(verify(handMade(other, payload, pki_->carrier.key.get())), ErrorCode::kMalformed,
              "needs \"typ\":\"cps-ad\"");
}

TEST_F(AdvertisementVerifierTest, UntrustedChainIsRefused) {
  std::string jws = *sign(cpsEntries({{"0-1234", "https://cps.example"}}), pki_->carrier);
  TrustStore nobody;
  expectError(verifyAdvertisement(jws, nobody, pki_->now(), &pki_->spcMap()),
              ErrorCode::kUntrustedChain, "advertisement");
}

}  // namespace
}  // namespace keydir
