// Interoperability with an independent JOSE implementation, the npm `jose`
// package (tests/interop, installed by tools/install-deps with `npm ci`):
// jose signs an advertisement that a running directory accepts, and
// verifies one that keydir made; jose decrypts the JWEs keydir makes for a
// PASSporT, and keydir decrypts jose's, for X25519 and P-256 keys alike.

#include <gtest/gtest.h>

#include <filesystem>

#include "advertise/advertisement_signer.h"
#include "advertise/advertisement_verifier.h"
#include "certs/jwe.h"
#include "certs/key_pair.h"
#include "certs/pem.h"
#include "tests/directory/directory_server_fixture.h"
#include "tests/interop/node_script.h"
#include "tests/support/temp_dir.h"

namespace keydir {
namespace {

using testing::runNodeScript;
using testing::shellQuoted;

const std::filesystem::path& kInterop = testing::kInteropDir;

class JoseInteropTest : public testing::DirectoryServerTest {
 protected:
  void SetUp() override {
    DirectoryServerTest::SetUp();
    ASSERT_TRUE(std::filesystem::exists(kInterop / "node_modules" / "jose"))
        << "jose is not installed: run `npm ci --prefix tests/interop` (tools/install-deps does)";
  }
  static std::string joseSigned(const testing::Identity& who, const std::string& payload) {
    std::string jws;
    int status = runNodeScript(
        "sign-advertisement.mjs",
        who.files.key.string() + " " + who.files.chain.string() + " " + shellQuoted(payload), &jws);
    EXPECT_EQ(status, 0) << jws;
    return jws;
  }
  HttpAnswer publish(const std::string& jws) {
    return client_->request("POST", "/v1/advertisements", jws, "application/jose").value();
  }
};

TEST_F(JoseInteropTest, DirectoryAcceptsAnAdvertisementJoseSigned) {
  startServer();
  std::string jws = joseSigned(pki_->carrier, R"({"0-1234":"https://cps.jose.example"})");
  HttpAnswer created = publish(jws);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(nlohmann::json::parse(created.body)["id"], advertisementId(jws));
  nlohmann::json found = nlohmann::json::parse(get("/v1/tns/12025550150/cps").body);
  ASSERT_EQ(found["cps"].size(), 1u);
  EXPECT_EQ(found["cps"][0]["uri"], "https://cps.jose.example");
  EXPECT_EQ(found["cps"][0]["jws"], jws);
}

TEST_F(JoseInteropTest, DirectoryRefusesJoseSignedWithTheWrongKeyOrScope) {
  startServer();
  // acme's key under the carrier's chain.
  testing::Identity forged = pki_->load("carrier");
  forged.files.key = pki_->acme.files.key;
  HttpAnswer wrong_key = publish(joseSigned(forged, R"({"0-1234":"https://cps.jose.example"})"));
  EXPECT_EQ(wrong_key.status, 422) << wrong_key.body;
  EXPECT_NE(wrong_key.body.find("bad-signature"), std::string::npos);
  HttpAnswer outside =
      publish(joseSigned(pki_->acme, R"({"2-14155550123":"https://cps.jose.example"})"));
  EXPECT_EQ(outside.status, 403) << outside.body;
  EXPECT_NE(outside.body.find("not-authorized"), std::string::npos);
}

TEST_F(JoseInteropTest, JoseVerifiesAnAdvertisementKeydirSigned) {
  std::vector<CpsEntry> entries = {
      {TnScope::parse("1-12025550100-100").value(), "https://cps.acme.example/v1"}};
  std::string jws = signAdvertisement({entries, pki_->now(), pki_->now() + std::chrono::hours(1)},
                                      pki_->acme.key.get(), pki_->acme.chain)
                        .value();
  std::string output;
  ASSERT_EQ(runNodeScript("verify-advertisement.mjs", jws, &output), 0) << output;
  nlohmann::json seen = nlohmann::json::parse(output);
  EXPECT_EQ(seen["payload"],
            nlohmann::json::parse(R"({"1-12025550100-100":"https://cps.acme.example/v1"})"));
  EXPECT_EQ(seen["header"]["alg"], "ES256");
  EXPECT_EQ(seen["header"]["typ"], "cps-ad");
  EXPECT_EQ(seen["header"]["iat"], pki_->now().time_since_epoch().count());
  EXPECT_EQ(seen["header"]["x5c"].size(), pki_->acme.chain.size());

  // The check is real: jose refuses the same JWS with its payload swapped.
  std::string other = signAdvertisement({entries, pki_->now(), std::nullopt}, pki_->acme.key.get(),
                                        pki_->acme.chain)
                          .value();
  std::string spliced = jws.substr(0, jws.rfind('.')) + other.substr(other.rfind('.'));
  EXPECT_EQ(runNodeScript("verify-advertisement.mjs", spliced, &output), 1);
}

class JoseJweInterop : public ::testing::TestWithParam<KeyType> {
 protected:
  void SetUp() override {
    key_ = generateKey(GetParam());
    key_file_ = (dir_ / "encryption-key.pem").string();
    ASSERT_TRUE(writeFile(key_file_, privateKeyPem(key_.get()), true));
  }
  testing::TempDir dir_;
  EvpPkeyPtr key_;
  std::string key_file_;
  const std::string passport_ = "eyJhbGciOiJFUzI1NiIsInR5cCI6InBhc3Nwb3J0In0.eyJpYXQiOjF9.c2ln";
};

TEST_P(JoseJweInterop, JoseDecryptsWhatKeydirEncrypts) {
  std::string jwe = encryptJwe(passport_, key_.get(), "key-7").value();
  std::string output;
  ASSERT_EQ(runNodeScript("decrypt-jwe.mjs", key_file_ + " " + jwe, &output), 0) << output;
  nlohmann::json seen = nlohmann::json::parse(output);
  EXPECT_EQ(seen["plaintext"], passport_);
  EXPECT_EQ(seen["header"]["kid"], "key-7");
  EXPECT_EQ(seen["header"]["epk"]["crv"], keyTypeName(GetParam()));
  // The check is real: jose refuses it under another key.
  auto other = generateKey(GetParam());
  ASSERT_TRUE(writeFile(dir_ / "other.pem", privateKeyPem(other.get()), true));
  EXPECT_EQ(runNodeScript("decrypt-jwe.mjs", (dir_ / "other.pem").string() + " " + jwe, &output),
            1);
}

TEST_P(JoseJweInterop, KeydirDecryptsWhatJoseEncrypts) {
  std::string jwe;
  ASSERT_EQ(
      runNodeScript("encrypt-jwe.mjs",
                    shellQuoted(publicJwk(key_.get()).dump()) + " key-9 " + shellQuoted(passport_),
                    &jwe),
      0)
      << jwe;
  DecryptedJwe decrypted = decryptJwe(jwe, key_.get()).value();
  EXPECT_EQ(decrypted.plaintext, passport_);
  EXPECT_EQ(decrypted.header["kid"], "key-9");
  EXPECT_EQ(decrypted.header["enc"], "A256GCM");
}

INSTANTIATE_TEST_SUITE_P(BothKeyTypes, JoseJweInterop,
                         ::testing::Values(KeyType::kX25519, KeyType::kP256), [](const auto& info) {
                           return info.param == KeyType::kX25519 ? "X25519" : "P256";
                         });

}  // namespace
}  // namespace keydir
