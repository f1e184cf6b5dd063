#include "certs/pki_directory.h"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include "certs/pem.h"
#include "certs/tn_auth_list.h"
#include "tests/support/test_pki.h"

namespace keydir {
namespace {

using testing::issueRequest;
using testing::TestPki;

TEST(PkiDirectory, InitWritesRootIntermediateAndTrustBundle) {
  testing::TempDir dir;
  auto pki = PkiDirectory::init(dir / "pki", nowInstant());
  ASSERT_TRUE(pki) << pki.error().message;
  for (const char* file :
       {"root.pem", "root.key", "intermediate.pem", "intermediate.key", "trust.pem"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / "pki" / file)) << file;
  }
  auto perms = std::filesystem::status(dir / "pki" / "root.key").permissions();
  EXPECT_EQ(perms & std::filesystem::perms::others_read, std::filesystem::perms::none);
}

TEST(PkiDirectory, InitRefusesToOverwriteAPki) {
  testing::TempDir dir;
  ASSERT_TRUE(PkiDirectory::init(dir / "pki", nowInstant()));
  std::string root_before = testing::readText(dir / "pki" / "root.pem");
  auto again = PkiDirectory::init(dir / "pki", nowInstant());
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("already holds a PKI"), std::string::npos);
  EXPECT_EQ(testing::readText(dir / "pki" / "root.pem"), root_before);
}

TEST(PkiDirectory, OpenNeedsAnInitialisedDirectory) {
  testing::TempDir dir;
  auto pki = PkiDirectory::open(dir.path());
  ASSERT_FALSE(pki);
  EXPECT_EQ(pki.error().code, ErrorCode::kNotFound);
  EXPECT_NE(pki.error().message.find("keydir pki init"), std::string::npos);
}

TEST(PkiDirectory, ChainsVerifyWithTheOpensslCommandLine) {
  TestPki pki;
  std::string output;
  // openssl verify wants the leaf alone and the rest as untrusted.
  std::filesystem::path dir = pki.directory().dir();
  int status = testing::runCommand("openssl verify -CAfile " + (dir / "trust.pem").string() +
                                       " -untrusted " + (dir / "acme.chain.pem").string() + " " +
                                       (dir / "acme.pem").string(),
                                   &output);
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("OK"), std::string::npos) << output;
}

TEST(PkiDirectory, IssuedCertificatesCarryWhatWasAsked) {
  TestPki pki;
  EXPECT_EQ(scopeStrings(**readTnAuthList(pki.reseller.chain[0].get())),
            std::vector<std::string>{"1-12025550000-1000"});
  EXPECT_EQ(pki.acme.chain.size(), 4u);  // acme, reseller, carrier, intermediate
  EXPECT_NE(X509_check_ca(pki.reseller.chain[0].get()), 0);
  EXPECT_EQ(X509_check_ca(pki.acme.chain[0].get()), 0);
}

TEST(PkiDirectory, IssueRefusesOverreachUnknownIssuerAndBadNames) {
  TestPki pki;
  auto greedy = pki.directory().issue(
      issueRequest("greedy", CertificateKind::kEnterprise, "reseller", {"1-12025551000-10"}),
      pki.now(), &pki.spcMap());
  ASSERT_FALSE(greedy);
  EXPECT_EQ(greedy.error().code, ErrorCode::kNotAuthorized);
  EXPECT_FALSE(std::filesystem::exists(pki.directory().dir() / "greedy.pem"));

  auto orphan = pki.directory().issue(
      issueRequest("orphan", CertificateKind::kEnterprise, "nobody", {"2-1"}), pki.now());
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error().code, ErrorCode::kNotFound);

  auto from_leaf = pki.directory().issue(
      issueRequest("sub", CertificateKind::kEnterprise, "acme", {"2-12025550100"}), pki.now());
  ASSERT_FALSE(from_leaf);
  EXPECT_NE(from_leaf.error().message.find("not a CA"), std::string::npos);

  auto bad_name = pki.directory().issue(
      issueRequest("../evil", CertificateKind::kEnterprise, "intermediate", {"2-1"}), pki.now());
  ASSERT_FALSE(bad_name);
  EXPECT_EQ(bad_name.error().code, ErrorCode::kMalformed);

  auto twice = pki.directory().issue(
      issueRequest("acme", CertificateKind::kEnterprise, "reseller", {"2-12025550100"}), pki.now(),
      &pki.spcMap());
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("already exists"), std::string::npos);

  auto no_scopes = pki.directory().issue(
      issueRequest("empty", CertificateKind::kEnterprise, "intermediate", {}), pki.now());
  ASSERT_FALSE(no_scopes);
  EXPECT_NE(no_scopes.error().message.find("needs a TNAuthList"), std::string::npos);
}

}  // namespace
}  // namespace keydir
