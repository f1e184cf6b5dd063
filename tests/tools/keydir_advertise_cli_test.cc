// keydir advertise and keydir resolve against a running `keydir serve`, as a
// carrier publishing its CPS and an authentication service resolving a TN.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/keydir_cli.h"
#include "tests/tools/directory_cli_fixture.h"

namespace keydir {
namespace {

using testing::DirectoryCli;
using testing::keydir;
using testing::keydirJson;
using testing::readText;

class AdvertiseCli : public DirectoryCli {
 protected:
  std::string signer(const std::string& name) {
    return "--cert " + pki_ + "/" + name + ".chain.pem --key " + pki_ + "/" + name + ".key";
  }
  std::string resolve(const std::string& tn, const std::string& url) {
    return "resolve " + tn + " --server " + url + " --trust " + trust_;
  }
  std::string map() { return " --spc-map " + (dir_ / "map.csv").string(); }
};

TEST_F(AdvertiseCli, PublishThenResolveKeysAndCpsVerified) {
  auto server = serve();
  nlohmann::json carrier =
      keydirJson("advertise " + signer("carrier") +
                 " --entry 0-1234=https://cps.carrier.example --publish " + server->url());
  EXPECT_EQ(carrier["status"], "current");
  EXPECT_EQ(carrier["entries"]["0-1234"], "https://cps.carrier.example");

  std::string jws_file = (dir_ / "acme.jws").string();
  nlohmann::json made = keydirJson("advertise " + signer("acme") +
                                   " --entry 2-12025550150=https://cps.acme.example"
                                   " --entry 1-12025550100-100=https://cps2.acme.example"
                                   " --valid-for 30d --out " +
                                   jws_file);
  EXPECT_EQ(made["jws"].get<std::string>() + "\n", readText(jws_file));
  EXPECT_EQ(made["id"].get<std::string>().size(), 43u);
  EXPECT_TRUE(made.contains("exp"));
  nlohmann::json published = keydirJson("advertise " + signer("acme") +
                                        " --entry 2-12025550150=https://cps.acme.example"
                                        " --entry 1-12025550100-100=https://cps2.acme.example"
                                        " --publish " +
                                        server->url());
  EXPECT_EQ(published["status"], "current");

  keydirJson("register --server " + server->url() + " --credential " +
             credential("acme", "acme-key"));
  nlohmann::json resolved = keydirJson(resolve("+1-202-555-0150", server->url()) + map());
  EXPECT_EQ(resolved["tn"], "12025550150");
  EXPECT_EQ(resolved["keys"].size(), 1u);
  ASSERT_EQ(resolved["cps"].size(), 3u) << resolved.dump(2);
  EXPECT_EQ(resolved["cps"][0]["uri"], "https://cps.acme.example");
  EXPECT_EQ(resolved["cps"][1]["uri"], "https://cps2.acme.example");
  EXPECT_EQ(resolved["cps"][2]["uri"], "https://cps.carrier.example");
  EXPECT_TRUE(resolved["rejected"]["keys"].empty());
  EXPECT_TRUE(resolved["rejected"]["cps"].empty());
}

TEST_F(AdvertiseCli, ResolveReportsWhatItCannotVerify) {
  auto server = serve();
  keydirJson("advertise " + signer("carrier") + " --entry 0-1234=https://cps.carrier.example" +
             " --publish " + server->url());
  // Without the SPC map nothing proves that 0-1234 holds this TN.
  nlohmann::json resolved = keydirJson(resolve("12025550150", server->url()), 1);
  EXPECT_TRUE(resolved["cps"].empty());
  ASSERT_EQ(resolved["rejected"]["cps"].size(), 1u);
  EXPECT_EQ(resolved["rejected"]["cps"][0]["problem"], "not-authorized");
  EXPECT_NE(resolved["rejected"]["cps"][0]["detail"].get<std::string>().find("SPC map"),
            std::string::npos);
  // Anchors that do not know this PKI reject everything.
  keydirJson("pki init " + (dir_ / "other").string());
  nlohmann::json strangers =
      keydirJson("resolve 12025550150 --server " + server->url() + " --trust " +
                     (dir_ / "other" / "trust.pem").string() + map(),
                 1);
  EXPECT_EQ(strangers["rejected"]["cps"][0]["problem"], "untrusted-chain");
}

TEST_F(AdvertiseCli, ProvisionedEntriesNeedConsent) {
  testing::writeText(dir_ / "cps.json", R"({"1-12025550000-10000":"https://closed.example"})");
  auto server = serve({"--set", "provisioned_cps=" + (dir_ / "cps.json").string()});
  nlohmann::json refused = keydirJson(resolve("12025550150", server->url()) + map(), 1);
  EXPECT_TRUE(refused["cps"].empty());
  EXPECT_NE(refused["rejected"]["cps"][0]["detail"].get<std::string>().find("--accept-provisioned"),
            std::string::npos);
  nlohmann::json accepted =
      keydirJson(resolve("12025550150", server->url()) + map() + " --accept-provisioned");
  ASSERT_EQ(accepted["cps"].size(), 1u);
  EXPECT_EQ(accepted["cps"][0]["uri"], "https://closed.example");
  EXPECT_EQ(accepted["cps"][0]["provisioned"], true);
}

TEST_F(AdvertiseCli, RefusalsSayWhyAndExitOne) {
  auto server = serve();
  auto http = keydir("advertise " + signer("carrier") + " --entry 0-1234=http://cps.example");
  EXPECT_EQ(http.status, 1);
  EXPECT_NE(http.output.find("keydir: malformed:"), std::string::npos) << http.output;
  EXPECT_NE(http.output.find("over https"), std::string::npos) << http.output;

  auto outside = keydir("advertise " + signer("acme") +
                        " --entry 2-14155550123=https://cps.example --publish " + server->url());
  EXPECT_EQ(outside.status, 1);
  EXPECT_NE(outside.output.find("not-authorized"), std::string::npos) << outside.output;

  auto wrong_key = keydir("advertise --cert " + pki_ + "/carrier.chain.pem --key " + pki_ +
                          "/acme.key --entry 0-1234=https://cps.example");
  EXPECT_EQ(wrong_key.status, 1);
  EXPECT_NE(wrong_key.output.find("does not belong to the leaf"), std::string::npos);

  EXPECT_EQ(keydir("advertise " + signer("carrier")).status, 2);
  EXPECT_EQ(keydir("advertise " + signer("carrier") + " --entry 0-1234").status, 1);
  EXPECT_EQ(keydir("resolve 12025550150 --server " + server->url()).status, 2);
  EXPECT_EQ(keydirJson(resolve("12025550150", server->url()) + map())["cps"].size(), 0u)
      << "nothing refused was published";
}

}  // namespace
}  // namespace keydir
