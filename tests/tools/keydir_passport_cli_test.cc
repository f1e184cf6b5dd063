// The caller's and callee's side, run as their services would: the caller
// signs a PASSporT and encrypts it to every key the directory names for the
// callee; the callee decrypts it with its own key and verifies it (RFC 8816
// sections 8.1 and 8.2).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/keydir_cli.h"
#include "tests/support/temp_dir.h"
#include "tests/tools/directory_cli_fixture.h"

namespace keydir {
namespace {

using testing::CommandRun;
using testing::DirectoryCli;
using testing::keydir;
using testing::keydirJson;
using testing::readText;
using testing::writeText;

class PassportCli : public DirectoryCli {
 protected:
  // Runs keydir with `input` on stdin; stdout and stderr together.
  CommandRun piped(const std::string& input, const std::string& arguments) {
    writeText(dir_ / "stdin", input);
    return keydir(arguments + " < " + (dir_ / "stdin").string());
  }
  std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
  }
  std::string map() const { return (dir_ / "map.csv").string(); }
  std::string signPassport(const std::string& orig) {
    CommandRun signed_run =
        keydir("passport sign --cert " + pki_ + "/carrier.chain.pem --key " + pki_ +
               "/carrier.key --orig " + orig + " --dest 12025550150 --attest A");
    EXPECT_EQ(signed_run.status, 0) << signed_run.output;
    return trimmed(signed_run.output);
  }
};

TEST_F(PassportCli, SignEncryptToEveryKeyDecryptAndVerify) {
  auto server = serve();
  std::string x25519 = credential("acme", "acme-x25519");
  keydirJson("credential new --cert " + pki_ + "/acme.chain.pem --key " + pki_ +
             "/acme.key --alg p256 --out " + (dir_ / "acme-p256").string());
  std::string p256 = (dir_ / "acme-p256").string();
  std::string x25519_id =
      keydirJson("register --server " + server->url() + " --credential " + x25519)["id"];
  std::string p256_id =
      keydirJson("register --server " + server->url() + " --credential " + p256)["id"];

  std::string passport = signPassport("12025559000");
  ASSERT_EQ(std::count(passport.begin(), passport.end(), '.'), 2) << passport;

  CommandRun encrypted =
      piped(passport, "encrypt --tn 12025550150 --server " + server->url() + " --trust " + trust_ +
                          " --spc-map " + map() + " 2>/dev/null");
  ASSERT_EQ(encrypted.status, 0) << encrypted.output;
  nlohmann::json result = nlohmann::json::parse(encrypted.output);
  EXPECT_EQ(result["tn"], "12025550150");
  ASSERT_EQ(result["jwes"].size(), 2u) << "one JWE per verified key";
  EXPECT_TRUE(result["rejected"]["keys"].empty());

  for (const auto& jwe : result["jwes"]) {
    const bool is_x25519 = jwe["kid"] == x25519_id;
    EXPECT_TRUE(is_x25519 || jwe["kid"] == p256_id) << jwe.dump();
    const std::string own = (is_x25519 ? x25519 : p256) + "/encryption-key.pem";
    const std::string other = (is_x25519 ? p256 : x25519) + "/encryption-key.pem";
    CommandRun decrypted = piped(jwe["jwe"], "decrypt --key " + own);
    ASSERT_EQ(decrypted.status, 0) << decrypted.output;
    EXPECT_EQ(trimmed(decrypted.output), passport);
    CommandRun wrong = piped(jwe["jwe"], "decrypt --key " + other);
    EXPECT_EQ(wrong.status, 1);
    EXPECT_NE(wrong.output.find("is for a"), std::string::npos) << wrong.output;
  }

  CommandRun verified = piped(passport, "passport verify --trust " + trust_ + " --spc-map " +
                                            map() + " --orig 12025559000 2>/dev/null");
  ASSERT_EQ(verified.status, 0) << verified.output;
  nlohmann::json checked = nlohmann::json::parse(verified.output);
  EXPECT_EQ(checked["claims"]["attest"], "A");
  EXPECT_EQ(checked["header"]["ppt"], "shaken");
  EXPECT_EQ(server->stop(), 0);
}

TEST_F(PassportCli, RefusalsNameTheirStepAndExitOne) {
  std::string passport = signPassport("12025559000");
  CommandRun other_orig = piped(passport, "passport verify --trust " + trust_ + " --spc-map " +
                                              map() + " --orig 12025559001");
  EXPECT_EQ(other_orig.status, 1);
  EXPECT_NE(other_orig.output.find("orig: the PASSporT is from 12025559000"), std::string::npos)
      << other_orig.output;
  // Without the SPC map the carrier's SPC proves no number.
  CommandRun no_map = piped(passport, "passport verify --trust " + trust_ + " --orig 12025559000");
  EXPECT_EQ(no_map.status, 1);
  EXPECT_NE(no_map.output.find("chain: the signer's TNAuthList (0-1234) does not hold"),
            std::string::npos)
      << no_map.output;
  std::string tampered = passport;
  tampered[tampered.find('.') + 5] ^= 1;
  CommandRun altered = piped(tampered, "passport verify --trust " + trust_ + " --spc-map " + map() +
                                           " --orig 12025559000");
  EXPECT_EQ(altered.status, 1);
  EXPECT_NE(altered.output.find("keydir: "), std::string::npos) << altered.output;
  CommandRun old = piped(passport, "passport verify --trust " + trust_ + " --spc-map " + map() +
                                       " --orig 12025559000 --max-age 0s");
  // iat is this second: a max-age of 0 still takes it unless a second passed.
  EXPECT_TRUE(old.status == 0 || old.output.find("fresh: ") != std::string::npos) << old.output;

  // No keys for the callee: nothing to encrypt to, exit 1.
  auto server = serve();
  CommandRun none = piped(passport, "encrypt --tn 14155550100 --server " + server->url() +
                                        " --trust " + trust_ + " 2>/dev/null");
  EXPECT_EQ(none.status, 1);
  EXPECT_TRUE(nlohmann::json::parse(none.output)["jwes"].empty());
  CommandRun usage = keydir("encrypt --server " + server->url() + " --trust " + trust_);
  EXPECT_EQ(usage.status, 2);
  EXPECT_EQ(server->stop(), 0);
}

TEST(KeydirDemo, RunsEveryStepLeavesNothingBehindAndKeepsTheFolderWhenAsked) {
  testing::TempDir dir;
  CommandRun kept =
      keydir("demo --dir " + (dir / "demo").string() + " 2>" + (dir / "stderr").string());
  ASSERT_EQ(kept.status, 0) << kept.output;
  EXPECT_NE(kept.output.find("16. The directory's request log holds"), std::string::npos)
      << kept.output;
  EXPECT_NE(kept.output.find("17. The CPS's request log holds"), std::string::npos) << kept.output;
  EXPECT_NE(kept.output.find("storage tokens"), std::string::npos) << kept.output;
  EXPECT_EQ(std::count(kept.output.begin(), kept.output.end(), '\n') <= 38, true)
      << "one or two lines a step";
  EXPECT_NE(kept.output.find("refused, as it should be: 422"), std::string::npos);
  EXPECT_NE(kept.output.find("refused, as it should be: signature: "), std::string::npos);
  EXPECT_EQ(readText(dir / "stderr"), "") << "the servers' lines go to servers.log";
  for (const char* name : {"resolve.json", "passport.jws", "encrypted.json", "advertisement.jws",
                           "directory-access.log", "acme-encryption-key.pem", "servers.log",
                           "cps-access.log", "cps-prefix-answer.json", "tls/ca.pem",
                           "storage-tokens.json"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / "demo" / name)) << name;
  }
  nlohmann::json encrypted = nlohmann::json::parse(readText(dir / "demo" / "encrypted.json"));
  EXPECT_EQ(encrypted["jwes"].size(), 2u);
  // The demo's own check, made again here: no TN in the directory's log.
  EXPECT_EQ(readText(dir / "demo" / "directory-access.log").find("12025550150"), std::string::npos);
  // And none in the CPS's: the callee's number is cut, the caller's absent.
  const std::string cps_log = readText(dir / "demo" / "cps-access.log");
  EXPECT_EQ(cps_log.find("12025550150"), std::string::npos) << cps_log;
  EXPECT_EQ(cps_log.find("13125550100"), std::string::npos) << cps_log;
  EXPECT_EQ(encrypted["cps"][0].get<std::string>().rfind("https://127.0.0.1:", 0), 0u)
      << "the advertised CPS is the demo's own, over TLS";

  CommandRun removed = keydir("demo 2>/dev/null");
  ASSERT_EQ(removed.status, 0) << removed.output;
  const std::string first_line = removed.output.substr(0, removed.output.find('\n'));
  const std::string folder = first_line.substr(first_line.rfind(' ') + 1);
  EXPECT_FALSE(std::filesystem::exists(folder)) << folder;
  CommandRun taken = keydir("demo --dir " + (dir / "demo").string());
  EXPECT_EQ(taken.status, 2) << "an existing folder is not reused";
}

}  // namespace
}  // namespace keydir
