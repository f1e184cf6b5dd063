// keydir's CPS as today's SHAKEN carriers reach it: behind an HTTP/2
// terminating proxy (Debian's nghttpx), by a Node client that signs its
// PASSporT and JWTs as TransNexus's public sample does, with its chain at
// an https x5u (openssl s_server). The proxy forwards the publish body
// chunked, which the CPS must read.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/interop/node_script.h"
#include "tests/support/child_server.h"
#include "tests/support/keydir_process.h"
#include "tests/support/test_pki.h"

namespace keydir {
namespace {

class StiCpsInterop : public testing::SharedPkiTest {};

TEST_F(StiCpsInterop, TheSampleClientPublishesAndRetrievesThroughNghttpx) {
  testing::TempDir dir;
  std::string output;
  ASSERT_EQ(testing::runCommand(
                "cd " + dir.path().string() +
                    " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
                    " -keyout tls.key -out tls.pem -days 2 -subj /CN=127.0.0.1"
                    " -addext subjectAltName=IP:127.0.0.1,DNS:localhost",
                &output),
            0)
      << output;
  const std::string tls_cert = (dir / "tls.pem").string(), tls_key = (dir / "tls.key").string();
  testing::writeText(dir / "carrier.pem", testing::readText(pki_->carrier.files.chain));
  testing::ChildServer x5u({"openssl", "s_server", "-quiet", "-accept", "{port}", "-cert", tls_cert,
                            "-key", tls_key, "-WWW"},
                           dir.path(), dir / "s_server.log");
  ASSERT_NE(x5u.port(), 0) << "openssl s_server did not start";

  testing::KeydirProcess cps("cps",
                             {"--name", "cps.test", "--listen", "127.0.0.1:0", "--trust",
                              pki_->directory().trustFile().string(), "--tls-ca", tls_cert,
                              "--access-log", (dir / "cps-access.log").string()},
                             dir / "cps.log");
  ASSERT_NE(cps.port(), 0) << cps.log();
  testing::ChildServer proxy(
      // Debian puts it in /usr/sbin, which a test's PATH may lack.
      {std::filesystem::exists("/usr/sbin/nghttpx") ? "/usr/sbin/nghttpx" : "nghttpx",
       "--frontend=127.0.0.1,{port}", "--backend=127.0.0.1," + std::to_string(cps.port()),
       "--workers=1", "--no-ocsp", "--errorlog-file=" + (dir / "nghttpx-error.log").string(),
       tls_key, tls_cert},
      dir.path(), dir / "nghttpx.log");
  ASSERT_NE(proxy.port(), 0) << testing::readText(dir / "nghttpx.log");

  using testing::shellQuoted;
  output.clear();
  ASSERT_EQ(
      testing::runNodeScript(
          "sti-cps-client.mjs",
          shellQuoted("https://127.0.0.1:" + std::to_string(proxy.port())) + " " +
              shellQuoted(tls_cert) + " " + shellQuoted(pki_->carrier.files.key.string()) + " " +
              shellQuoted("https://127.0.0.1:" + std::to_string(x5u.port()) + "/carrier.pem") +
              " 1234 13125550100 12025550150 cps.test",
          &output),
      0)
      << output;
  nlohmann::json result = nlohmann::json::parse(output, nullptr, false);
  ASSERT_TRUE(result.is_object()) << output;
  EXPECT_EQ(result["health"]["status"], 200) << output;
  ASSERT_EQ(result["publish"]["status"], 201) << result["publish"]["body"];
  ASSERT_EQ(result["retrieve"]["status"], 200) << result["retrieve"]["body"];
  EXPECT_EQ(nlohmann::json::parse(result["retrieve"]["body"].get<std::string>())["passports"],
            nlohmann::json::array({result["passport"]}));
  // The publish came chunked through the proxy and was read whole.
  EXPECT_NE(testing::readText(dir / "cps-access.log").find("\"status\":201"), std::string::npos)
      << testing::readText(dir / "cps-access.log");
}

}  // namespace
}  // namespace keydir
