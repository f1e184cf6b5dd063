// Runs the real keydir binary, as an operator or a script would.

#include "tests/support/keydir_cli.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "certs/base64.h"
#include "certs/credential_verifier.h"
#include "certs/in_memory_spc_map.h"
#include "certs/jws.h"
#include "certs/pem.h"
#include "certs/trust_store.h"
#include "tests/support/temp_dir.h"

namespace keydir {
namespace {

using testing::CommandRun;
using testing::keydir;
using testing::keydirJson;
using testing::readText;
using testing::runCommand;
using testing::TempDir;

class KeydirCli : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = (dir_ / "pki").string();
    keydirJson("pki init " + pki_);
    keydirJson("pki issue " + pki_ +
               " --name carrier --type sp --spc 1234 --range 12025550000-10000");
    keydirJson("pki issue " + pki_ +
               " --name reseller --type delegate-ca --issuer carrier "
               "--range 12025550000-1000");
    keydirJson("pki issue " + pki_ +
               " --name acme --type enterprise --issuer reseller "
               "--range 12025550100-100");
  }
  TempDir dir_;
  std::string pki_;
};

TEST_F(KeydirCli, EverySubcommandHasHelp) {
  for (const char* name : {"pki init", "pki issue", "cert inspect", "credential new"}) {
    CommandRun run = keydir(std::string(name) + " --help");
    EXPECT_EQ(run.status, 0) << name;
    EXPECT_NE(run.output.find("usage: keydir " + std::string(name)), std::string::npos)
        << run.output;
  }
  CommandRun overview = keydir("--help");
  EXPECT_EQ(overview.status, 0);
  EXPECT_NE(overview.output.find("credential new"), std::string::npos);
}

TEST_F(KeydirCli, UsageErrorsExitTwo) {
  EXPECT_EQ(keydir("").status, 2);
  EXPECT_EQ(keydir("frobnicate").status, 2);
  EXPECT_EQ(keydir("pki init").status, 2);
  CommandRun unknown = keydir("pki issue " + pki_ + " --name x --type sp --colour blue");
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.output.find("unknown option --colour"), std::string::npos);
  EXPECT_EQ(keydir("credential new --cert a").status, 2);
  EXPECT_EQ(keydir("credential new --cert a --key b --out c --alg rsa").status, 2);
}

TEST_F(KeydirCli, RefusedInputExitsOneWithTheProblemType) {
  CommandRun again = keydir("pki init " + pki_);
  EXPECT_EQ(again.status, 1);
  EXPECT_NE(again.output.find("keydir: malformed: "), std::string::npos) << again.output;
  CommandRun overreach = keydir("pki issue " + pki_ +
                                " --name greedy --type enterprise --issuer acme "
                                "--tn 12025550100");
  EXPECT_EQ(overreach.status, 1);
  CommandRun bad_scope = keydir("pki issue " + pki_ + " --name x --type enterprise --range 1202-1");
  EXPECT_EQ(bad_scope.status, 1);
  EXPECT_NE(bad_scope.output.find("below 2"), std::string::npos) << bad_scope.output;
  CommandRun missing = keydir("cert inspect " + (dir_ / "nope.pem").string());
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.output.find("not-found"), std::string::npos) << missing.output;
}

TEST_F(KeydirCli, CertInspectShowsTheTnAuthList) {
  nlohmann::json info = keydirJson("cert inspect " + pki_ + "/acme.pem");
  EXPECT_EQ(info["tnauthlist"], nlohmann::json::array({"1-12025550100-100"}));
  EXPECT_EQ(info["delegation_usage"], true);
  EXPECT_EQ(info["ca"], false);
  EXPECT_EQ(info["subject"], "CN=acme,O=keydir test PKI");
  EXPECT_EQ(info["sha256"].get<std::string>().size(), 64u);
  nlohmann::json chain = keydirJson("cert inspect --all " + pki_ + "/acme.chain.pem");
  ASSERT_EQ(chain.size(), 4u);
  EXPECT_EQ(chain[2]["tnauthlist"], nlohmann::json::array({"0-1234", "1-12025550000-10000"}));
  EXPECT_EQ(chain[3]["tnauthlist"], nullptr);
}

TEST_F(KeydirCli, CertInspectReportsAnUndecodableTnAuthList) {
  CommandRun run = keydir(std::string("cert inspect ") + KEYDIR_TESTDATA +
                          "/external/botan-TNAuthList.pem 2>/dev/null");
  EXPECT_EQ(run.status, 1);
  nlohmann::json info = nlohmann::json::parse(run.output);
  EXPECT_EQ(info["tnauthlist"], nullptr);
  EXPECT_NE(info["tnauthlist_error"].get<std::string>().find("after its count"), std::string::npos);
}

TEST_F(KeydirCli, CredentialNewMakesWhatTheVerifierAccepts) {
  std::string out = (dir_ / "cred").string();
  nlohmann::json made = keydirJson("credential new --cert " + pki_ + "/acme.chain.pem --key " +
                                   pki_ + "/acme.key --alg p256 --valid-for 2d --out " + out);
  EXPECT_EQ(made["alg"], "P-256");
  EXPECT_EQ(made["jwk"]["kty"], "EC");

  nlohmann::json body = nlohmann::json::parse(readText(dir_ / "cred" / "credential.json"));
  auto dc = base64UrlDecode(body["dc"].get<std::string>()).value();
  nlohmann::json header = {{"x5c", body["x5c"]}};
  auto chain = jwsChain(header).value();
  auto trust = TrustStore::load(pki_ + "/trust.pem").value();
  InMemorySpcMap no_map;
  auto verified = verifyCredential(asStringView(dc), chain, trust, nowInstant(), &no_map);
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(verified->id, made["id"]);
  EXPECT_EQ(rfc3339(verified->expires), made["expires"]);
  EXPECT_EQ(scopeStrings(verified->chain.authority), std::vector<std::string>{"1-12025550100-100"});

  // The private key file matches the public key in the credential, and only its owner reads it.
  auto private_key = loadPrivateKey(dir_ / "cred" / "encryption-key.pem").value();
  EXPECT_EQ(spkiDer(private_key.get()), verified->credential.spki);
  auto perms = std::filesystem::status(dir_ / "cred" / "encryption-key.pem").permissions();
  EXPECT_EQ(perms & std::filesystem::perms::group_read, std::filesystem::perms::none);
}

TEST_F(KeydirCli, CredentialNewRefusesAKeyThatIsNotTheLeafs) {
  CommandRun run = keydir("credential new --cert " + pki_ + "/acme.chain.pem --key " + pki_ +
                          "/carrier.key --out " + (dir_ / "cred").string());
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.output.find("does not belong"), std::string::npos) << run.output;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "cred" / "credential.json"));
}

TEST_F(KeydirCli, CredentialNewWarnsWithoutDelegationUsage) {
  keydirJson("pki issue " + pki_ +
             " --name plain --type enterprise --tn 14155550123 "
             "--no-delegation-usage");
  CommandRun run = keydir("credential new --cert " + pki_ + "/plain.chain.pem --key " + pki_ +
                          "/plain.key --out " + (dir_ / "cred").string());
  EXPECT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("warning: the certificate lacks DelegationUsage"), std::string::npos);
}

}  // namespace
}  // namespace keydir
