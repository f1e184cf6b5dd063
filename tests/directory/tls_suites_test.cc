// TLS as a scanner sees it (testssl.sh's checks, made with the openssl
// command line): over TLS 1.2 a client can get only ECDHE suites with
// AEAD ciphers, on either serving core, and every HTTPS answer carries
// Strict-Transport-Security; a plain-HTTP server sends none.

#include <set>
#include <sstream>

#include "directory/http/channel.h"
#include "tests/directory/directory_server_fixture.h"

namespace keydir {
namespace {

class TlsSuitesTest : public testing::DirectoryServerTest,
                      public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    DirectoryServerTest::SetUp();
    config_.http_core = GetParam();
  }

  // Every TLS 1.2 suite this machine's openssl knows, tried one at a time.
  std::set<std::string> negotiableTls12Suites() {
    std::string output;
    const std::string port = std::to_string(server_->port());
    EXPECT_EQ(testing::runCommand(
                  "for suite in $(openssl ciphers -tls1_2 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' | "
                  "tr ':' ' '); do case $suite in TLS_*) continue;; esac; "
                  "echo | openssl s_client -connect 127.0.0.1:" +
                      port +
                      " -tls1_2 -cipher \"$suite@SECLEVEL=0\" >/dev/null 2>&1 && echo \"$suite\"; "
                      "done; true",
                  &output),
              0)
        << output;
    std::set<std::string> suites;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) suites.insert(line);
    }
    return suites;
  }
};

TEST_P(TlsSuitesTest, ATls12ClientGetsOnlyEcdheWithAead) {
  useTls();
  startServer();
  std::set<std::string> allowed;
  std::istringstream list(kTls12CipherList);
  for (std::string suite; std::getline(list, suite, ':');) allowed.insert(suite);
  const std::set<std::string> negotiable = negotiableTls12Suites();
  // The test's certificate is P-256: the ECDSA half of the list.
  EXPECT_EQ(negotiable,
            (std::set<std::string>{"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                                   "ECDHE-ECDSA-CHACHA20-POLY1305"}));
  for (const std::string& suite : negotiable) EXPECT_TRUE(allowed.contains(suite)) << suite;
}

TEST_P(TlsSuitesTest, HttpsAnswersCarryStrictTransportSecurity) {
  useTls();
  startServer();
  for (const char* path : {"/healthz", "/v1/meta", "/v1/no-such-route"}) {
    HttpAnswer answer = get(path);
    EXPECT_EQ(answer.headers["strict-transport-security"], "max-age=31536000") << path;
  }
}

TEST_P(TlsSuitesTest, PlainHttpAnswersCarryNone) {
  startServer();
  EXPECT_FALSE(get("/healthz").headers.contains("strict-transport-security"));
}

INSTANTIATE_TEST_SUITE_P(BothCores, TlsSuitesTest, ::testing::Values("reactor", "threads"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace keydir
