#include "certs/jwe.h"

#include <gtest/gtest.h>

#include "certs/base64.h"
#include "certs/hex.h"
#include "certs/key_pair.h"
#include "tests/support/expect_error.h"

namespace keydir {
namespace {

using testing::expectError;

std::string fromHex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += char(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

std::string b64(std::string_view raw) { return base64UrlEncode(raw); }

// RFC 7518 Appendix C: Alice's ephemeral key and Bob's static key, P-256.
const nlohmann::json kAlice = {{"kty", "EC"},
                               {"crv", "P-256"},
                               {"x", "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0"},
                               {"y", "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps"},
                               {"d", "0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo"}};
const nlohmann::json kBob = {{"kty", "EC"},
                             {"crv", "P-256"},
                             {"x", "weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ"},
                             {"y", "e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck"},
                             {"d", "VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw"}};

TEST(JweTest, ConcatKdfMatchesRfc7518AppendixC) {
  auto alice = keyFromJwk(kAlice).value();
  auto bob = keyFromJwk(kBob).value();
  std::string z = ecdhSecret(alice.get(), bob.get()).value();
  const unsigned char expected_z[] = {158, 86,  217, 29,  129, 113, 53,  211, 114, 131, 66,
                                      131, 191, 132, 38,  156, 251, 49,  110, 163, 218, 128,
                                      106, 72,  246, 218, 167, 121, 140, 254, 144, 196};
  EXPECT_EQ(z, std::string(reinterpret_cast<const char*>(expected_z), sizeof expected_z));
  EXPECT_EQ(ecdhSecret(bob.get(), alice.get()).value(), z) << "both sides agree";
  EXPECT_EQ(b64(concatKdf(z, "A128GCM", "Alice", "Bob", 16)), "VqqN6vgjbSBcIijNcacQGg");
}

TEST(JweTest, X25519AgreementMatchesRfc8037AppendixA6) {
  // The ephemeral secret and Bob's public key are RFC 7748 section 6.1's.
  nlohmann::json ephemeral = {
      {"kty", "OKP"},
      {"crv", "X25519"},
      {"d", b64(fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"))}};
  nlohmann::json bob = {
      {"kty", "OKP"}, {"crv", "X25519"}, {"x", "3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}};
  auto own = keyFromJwk(ephemeral).value();
  auto peer = keyFromJwk(bob).value();
  EXPECT_EQ(publicJwk(own.get())["x"], "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo")
      << "the epk the RFC shows";
  EXPECT_EQ(hexEncode(ecdhSecret(own.get(), peer.get()).value()),
            "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
}

class JweRoundTrip : public ::testing::TestWithParam<KeyType> {};

TEST_P(JweRoundTrip, DecryptsWhatItEncryptsAndNamesTheKey) {
  auto recipient = generateKey(GetParam());
  std::string jws = "eyJhbGciOiJFUzI1NiJ9.eyJvcmlnIjp7fX0.c2ln";
  std::string jwe = encryptJwe(jws, recipient.get(), "key-1").value();
  nlohmann::json header = jweHeader(jwe).value();
  EXPECT_EQ(header["alg"], "ECDH-ES");
  EXPECT_EQ(header["enc"], "A256GCM");
  EXPECT_EQ(header["kid"], "key-1");
  EXPECT_EQ(header["epk"]["crv"], GetParam() == KeyType::kX25519 ? "X25519" : "P-256");
  EXPECT_FALSE(header["epk"].contains("d"));
  EXPECT_NE(jwe.find(".."), std::string::npos) << "the encrypted key part is empty";
  DecryptedJwe decrypted = decryptJwe(jwe, recipient.get()).value();
  EXPECT_EQ(decrypted.plaintext, jws);
  EXPECT_NE(encryptJwe(jws, recipient.get(), "key-1").value(), jwe)
      << "a fresh ephemeral key and IV each time";
}

TEST_P(JweRoundTrip, AnotherKeyOrAnyAlteredPartDoesNotAuthenticate) {
  auto recipient = generateKey(GetParam());
  std::string jwe = encryptJwe("the passport", recipient.get(), "k").value();
  auto other = generateKey(GetParam());
  expectError(decryptJwe(jwe, other.get()), ErrorCode::kBadSignature, "for another key");
  // One character changed in the IV, the ciphertext and the tag in turn.
  std::vector<std::size_t> dots;
  for (std::size_t i = 0; i < jwe.size(); ++i) {
    if (jwe[i] == '.') dots.push_back(i);
  }
  for (std::size_t part = 1; part < dots.size(); ++part) {
    std::string altered = jwe;
    char& c = altered[dots[part] + 1];
    c = c == 'A' ? 'B' : 'A';
    expectError(decryptJwe(altered, recipient.get()), ErrorCode::kBadSignature, "altered");
  }
  // A header with another kid: the AAD no longer matches.
  nlohmann::json header = jweHeader(jwe).value();
  header["kid"] = "someone-else";
  std::string rewritten = b64(header.dump()) + jwe.substr(dots[0]);
  expectError(decryptJwe(rewritten, recipient.get()), ErrorCode::kBadSignature, "altered");
}

INSTANTIATE_TEST_SUITE_P(BothKeyTypes, JweRoundTrip,
                         ::testing::Values(KeyType::kX25519, KeyType::kP256), [](const auto& info) {
                           return info.param == KeyType::kX25519 ? "X25519" : "P256";
                         });

// Found by the JWE fuzz target: a header member of the wrong JSON type
// threw out of decryptJwe (and would have ended `keydir decrypt`).
TEST(JweTest, HeaderMembersOfTheWrongTypeAreRefusedNotThrown) {
  EvpPkeyPtr key = generateKey(KeyType::kX25519);
  for (const char* header :
       {R"({"alg":{"kty":"OKP"},"enc":"A256GCM"})", R"({"alg":"ECDH-ES","enc":7})",
        R"({"alg":"ECDH-ES","enc":"A256GCM","epk":{"kty":["OKP"],"crv":"X25519","x":"AA"}})",
        R"({"alg":"ECDH-ES","enc":"A256GCM","epk":"key"})"}) {
    const std::string compact =
        base64UrlEncode(header) + "..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA";
    Result<DecryptedJwe> decrypted = fail(ErrorCode::kMalformed, "not run");
    EXPECT_NO_THROW(decrypted = decryptJwe(compact, key.get())) << header;
    EXPECT_FALSE(decrypted) << header;
  }
}

TEST(JweTest, FixedRandomnessGivesTheSameJweTwice) {
  auto bob = keyFromJwk(kBob).value();
  auto alice = keyFromJwk(kAlice).value();
  JweFixedRandomness fixed{alice.get(), std::string(12, '\x07')};
  std::string first = encryptJwe("text", bob.get(), "bob", &fixed).value();
  EXPECT_EQ(encryptJwe("text", bob.get(), "bob", &fixed).value(), first);
  EXPECT_EQ(jweHeader(first).value()["epk"]["x"], kAlice["x"]);
  EXPECT_EQ(decryptJwe(first, bob.get()).value().plaintext, "text");
}

TEST(JweTest, RefusesWhatItDoesNotTakeSayingWhy) {
  auto x25519 = generateKey(KeyType::kX25519);
  auto p256 = generateKey(KeyType::kP256);
  std::string jwe = encryptJwe("text", x25519.get(), "k").value();
  expectError(decryptJwe(jwe, p256.get()), ErrorCode::kUnsupportedKey,
              "the JWE is for a X25519 key and this key is P-256");
  expectError(decryptJwe("a.b.c.d", x25519.get()), ErrorCode::kMalformed, "five");
  expectError(decryptJwe(jwe + ".x", x25519.get()), ErrorCode::kMalformed, "five");
  expectError(decryptJwe("!!.." + jwe.substr(jwe.find("..") + 2), x25519.get()),
              ErrorCode::kMalformed, "JWE header");

  const std::size_t rest = jwe.find('.');
  auto with_header = [&](nlohmann::json header) { return b64(header.dump()) + jwe.substr(rest); };
  nlohmann::json header = jweHeader(jwe).value();
  for (auto [member, value] : {std::pair{"alg", "ECDH-ES+A256KW"}, {"enc", "A128CBC-HS256"}}) {
    nlohmann::json changed = header;
    changed[member] = value;
    expectError(decryptJwe(with_header(changed), x25519.get()), ErrorCode::kUnsupportedKey,
                "is not supported");
  }
  nlohmann::json zipped = header;
  zipped["zip"] = "DEF";
  expectError(decryptJwe(with_header(zipped), x25519.get()), ErrorCode::kMalformed, "zip");
  nlohmann::json no_epk = header;
  no_epk.erase("epk");
  expectError(decryptJwe(with_header(no_epk), x25519.get()), ErrorCode::kMalformed, "epk");

  // An encrypted key where ECDH-ES has none.
  std::string with_key = jwe.substr(0, rest) + ".AAAA" + jwe.substr(rest + 1);
  expectError(decryptJwe(with_key, x25519.get()), ErrorCode::kMalformed, "empty encrypted key");

  // A P-256 epk off the curve (the invalid-curve attack).
  std::string p256_jwe = encryptJwe("text", p256.get(), "k").value();
  nlohmann::json off_curve = jweHeader(p256_jwe).value();
  Bytes y_bytes = base64UrlDecode(off_curve["epk"]["y"].get<std::string>()).value();
  std::string y(asStringView(y_bytes));
  y[31] = char(y[31] ^ 1);
  off_curve["epk"]["y"] = b64(y);
  std::string off = b64(off_curve.dump()) + p256_jwe.substr(p256_jwe.find('.'));
  expectError(decryptJwe(off, p256.get()), ErrorCode::kMalformed, "not a point on the curve");
}

// jweEnvelope reads the protected header without a JSON tree; it must
// read it as the tree does: the last of a member named twice, members of
// the header and of its epk alone, not those nested deeper.
TEST(JweTest, TheEnvelopeReadsTheHeaderAsAJsonTreeWould) {
  auto x25519 = generateKey(KeyType::kX25519);
  const std::string jwe = encryptJwe("text", x25519.get(), "k").value();
  const std::string rest = jwe.substr(jwe.find('.'));
  const std::string epk = jweHeader(jwe).value()["epk"].dump();
  auto envelope = [&](const std::string& header) { return jweEnvelope(b64(header) + rest); };
  const std::string tail = R"("enc":"A256GCM","epk":)" + epk;

  for (const std::string& header :
       {R"({"alg":"A128KW","alg":"ECDH-ES","kid":"k",)" + tail + "}",
        R"({"other":{"alg":"no","crit":["x"],"epk":"no"},"alg":"ECDH-ES",)" + tail + "}",
        R"({"epk":"no","alg":"ECDH-ES",)" + tail + "}",
        R"({"alg":"ECDH-ES","enc":"A256GCM","epk":{"deeper":{"d":"x"},)" + epk.substr(1) + "}"}) {
    auto read = envelope(header);
    ASSERT_TRUE(read) << header << ": " << read.error().message;
    EXPECT_EQ(read->epk_type, KeyType::kX25519);
  }
  EXPECT_EQ(envelope(R"({"alg":"ECDH-ES","kid":7,)" + tail + "}").value().kid, "");
  EXPECT_EQ(envelope(R"({"alg":"ECDH-ES","kid":"a","kid":"b",)" + tail + "}").value().kid, "b");
  EXPECT_EQ(envelope(R"({"alg":"ECDH-ES",)" + tail.substr(0, tail.size() - 1) +
                     R"(,"kid":"in the epk"}})")
                .value()
                .kid,
            "");

  expectError(envelope(R"({"alg":"ECDH-ES","alg":"A128KW",)" + tail + "}"),
              ErrorCode::kUnsupportedKey, "alg \"A128KW\"");
  expectError(envelope(R"({"alg":["ECDH-ES"],)" + tail + "}"), ErrorCode::kUnsupportedKey,
              "alg \"\"");
  expectError(envelope(R"({"alg":"ECDH-ES",)" + tail + R"(,"epk":"no"})"), ErrorCode::kMalformed,
              "the JWE's epk: a JWK is a JSON object");
  expectError(envelope(R"({"alg":"ECDH-ES",)" + tail + R"(,"epk":[)" + epk + "]}"),
              ErrorCode::kMalformed, "the JWE's epk: a JWK is a JSON object");
  expectError(envelope(R"({"alg":"ECDH-ES","enc":"A256GCM","epk":{"kty":"OKP","crv":"X25519",)"
                       R"("x":{"x":"AAAA"}}})"),
              ErrorCode::kMalformed, "the JWK has no \"x\"");
  expectError(
      envelope(R"({"alg":"ECDH-ES","enc":"A256GCM","epk":{"d":null,)" + epk.substr(1) + "}"),
      ErrorCode::kMalformed, "carries a private key");
  expectError(envelope(R"({"alg":"ECDH-ES","zip":null,)" + tail + "}"), ErrorCode::kMalformed,
              "zip");
  for (const std::string& not_an_object :
       {std::string(R"(["alg","ECDH-ES"])"), std::string(R"("ECDH-ES")"),
        R"({"alg":"ECDH-ES",)" + tail + "} {}", R"({"alg":"ECDH-ES",)" + tail,
        R"({"alg":"ECDH-\xff",)" + tail + "}"}) {
    expectError(envelope(not_an_object), ErrorCode::kMalformed,
                "the JWE header is not a JSON object");
    expectError(jweHeader(b64(not_an_object) + rest), ErrorCode::kMalformed,
                "the JWE header is not a JSON object");
  }
}

TEST(JweTest, KeyFromJwkRefusesOtherTypesAndBadSizes) {
  expectError(keyFromJwk({{"kty", "RSA"}, {"n", "AQAB"}}), ErrorCode::kUnsupportedKey,
              "not supported");
  expectError(keyFromJwk({{"kty", "OKP"}, {"crv", "X25519"}, {"x", "AAAA"}}), ErrorCode::kMalformed,
              "has 3 bytes, not 32");
  expectError(keyFromJwk({{"kty", "EC"}, {"crv", "P-256"}, {"x", kBob["x"]}}),
              ErrorCode::kMalformed, "no \"y\"");
  expectError(keyFromJwk(nlohmann::json::array()), ErrorCode::kMalformed, "JSON object");
}

}  // namespace
}  // namespace keydir
