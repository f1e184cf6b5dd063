// TNAuthList read from certificates that keydir did not make: ones made by
// the openssl command line with the extension given as DER, and public test
// certificates of other STIR implementations.

#include <gtest/gtest.h>

#include <cstdlib>

#include "certs/chain_validator.h"
#include "certs/hex.h"
#include "certs/pem.h"
#include "certs/tn_auth_list.h"
#include "certs/trust_store.h"
#include "tests/support/temp_dir.h"

namespace keydir {
namespace {

using testing::runCommand;
using testing::TempDir;
using testing::writeText;

std::filesystem::path testdata() {
  const char* dir = std::getenv("KEYDIR_TESTDATA");
  return dir ? std::filesystem::path(dir) : std::filesystem::path("tests/testdata");
}

std::string hexOf(const std::string& bytes) { return hexEncode(bytes); }

// Makes a root CA and a leaf under it with the openssl command line; the
// leaf's TNAuthList is the DER given in hex.
class OpensslMadeChain {
 public:
  explicit OpensslMadeChain(const std::string& tnauthlist_hex) {
    writeText(dir_ / "leaf.cnf",
              "[req]\ndistinguished_name=dn\nprompt=no\n[dn]\nCN=openssl leaf\n"
              "[ext]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
              "1.3.6.1.5.5.7.1.26=DER:" +
                  tnauthlist_hex + "\n");
    std::string d = dir_.path().string();
    std::string script =
        "set -e; cd " + d +
        "; openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout root.key"
        " -out root.pem -days 30 -subj '/CN=openssl root'"
        " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign"
        "; openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key"
        " -out leaf.csr -config leaf.cnf"
        "; openssl x509 -req -in leaf.csr -CA root.pem -CAkey root.key -CAcreateserial"
        " -days 10 -extfile leaf.cnf -extensions ext -out leaf.pem";
    status_ = runCommand(script, &output_);
  }
  bool ok() const { return status_ == 0; }
  const std::string& output() const { return output_; }
  std::filesystem::path file(const std::string& name) const { return dir_ / name; }

 private:
  TempDir dir_;
  int status_ = -1;
  std::string output_;
};

TEST(TnAuthListInterop, OpensslMadeCertificateParsesLikeOurs) {
  auto scopes = parseScopes({"0-1234", "1-12025550100-100", "2-12025550199"}).value();
  OpensslMadeChain made(hexOf(encodeTnAuthList(scopes)));
  ASSERT_TRUE(made.ok()) << made.output();
  auto leaf = loadCertificates(made.file("leaf.pem")).value();
  auto read = readTnAuthList(leaf[0].get());
  ASSERT_TRUE(read && *read);
  EXPECT_EQ(**read, scopes);
}

TEST(TnAuthListInterop, OpensslMadeChainValidates) {
  OpensslMadeChain made("3008A006160436363238");  // 0-6628
  ASSERT_TRUE(made.ok()) << made.output();
  auto trust = TrustStore::load(made.file("root.pem")).value();
  auto chain = loadCertificates(made.file("leaf.pem")).value();
  auto validated = validateChain(chain, trust, nowInstant(), nullptr);
  ASSERT_TRUE(validated) << validated.error().message;
  EXPECT_EQ(scopeStrings(validated->authority), std::vector<std::string>{"0-6628"});
}

TEST(TnAuthListInterop, OpensslMadeCertificateWithBadListIsMalformed) {
  OpensslMadeChain made("300CA10A30081603313131020101");  // count 1
  ASSERT_TRUE(made.ok()) << made.output();
  auto leaf = loadCertificates(made.file("leaf.pem")).value();
  auto read = readTnAuthList(leaf[0].get());
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kMalformed);
  EXPECT_NE(read.error().message.find("below 2"), std::string::npos) << read.error().message;
}

TEST(TnAuthListInterop, OurEncodingReadsAsRfc8226InOpensslAsn1parse) {
  TempDir dir;
  writeText(dir / "list.der", encodeTnAuthList(parseScopes({"0-1234", "1-111-128"}).value()));
  std::string output;
  ASSERT_EQ(runCommand("openssl asn1parse -inform DER -in " + (dir / "list.der").string(), &output),
            0);
  EXPECT_NE(output.find("cont [ 0 ]"), std::string::npos) << output;
  EXPECT_NE(output.find("IA5STRING         :1234"), std::string::npos) << output;
  EXPECT_NE(output.find("cont [ 1 ]"), std::string::npos) << output;
  EXPECT_NE(output.find("INTEGER           :80"), std::string::npos) << output;
}

TEST(TnAuthListInterop, ZlintShakenCertificateIsSpc6628) {
  auto certificates = loadCertificates(testdata() / "external" / "zlint-shakenCert.pem");
  ASSERT_TRUE(certificates) << certificates.error().message;
  auto read = readTnAuthList((*certificates)[0].get());
  ASSERT_TRUE(read && *read) << (read ? "" : read.error().message);
  EXPECT_EQ(scopeStrings(**read), std::vector<std::string>{"0-6628"});
}

TEST(TnAuthListInterop, BotanRangeWithTwoPairsIsRefused) {
  // See docs/tnauthlist.md: botan writes two start/count pairs in one range;
  // keydir refuses rather than guess which reading is meant.
  auto certificates = loadCertificates(testdata() / "external" / "botan-TNAuthList.pem");
  ASSERT_TRUE(certificates) << certificates.error().message;
  auto read = readTnAuthList((*certificates)[0].get());
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kMalformed);
  EXPECT_NE(read.error().message.find("entry 2"), std::string::npos) << read.error().message;
  EXPECT_NE(read.error().message.find("range 111 has elements after its count"), std::string::npos)
      << read.error().message;
}

}  // namespace
}  // namespace keydir
