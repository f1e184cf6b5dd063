// keydir serve, register, lookup, revoke, spc import and import, run as an
// operator and an authentication service would: separate processes talking
// HTTP on 127.0.0.1.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/keydir_cli.h"
#include "tests/support/temp_dir.h"

namespace keydir {
namespace {

using testing::CommandRun;
using testing::keydir;
using testing::keydirJson;
using testing::readText;
using testing::runCommand;
using testing::TempDir;

// A `keydir serve` child process on a free port, stopped with SIGTERM.
class ServeProcess {
 public:
  ServeProcess(const std::vector<std::string>& arguments, const std::filesystem::path& log) {
    pid_ = fork();
    if (pid_ == 0) {
      std::vector<std::string> all = {KEYDIR_BINARY, "serve"};
      all.insert(all.end(), arguments.begin(), arguments.end());
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      freopen(log.c_str(), "w", stderr);
      execv(KEYDIR_BINARY, argv.data());
      _exit(127);
    }
    // The server prints its address once it listens.
    for (int i = 0; i < 100 && port_ == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      std::string text = readText(log);
      auto at = text.find("listening on http://127.0.0.1:");
      if (at != std::string::npos) port_ = std::stoi(text.substr(at + 30));
    }
  }
  ~ServeProcess() { stop(); }
  int stop() {
    if (pid_ <= 0) return exit_status_;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_status_;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  int exit_status_ = -1;
};

class DirectoryCli : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = (dir_ / "pki").string();
    testing::writeText(dir_ / "map.csv", "# scope,spc\n1-12025550000-10000,1234\n");
    keydirJson("pki init " + pki_);
    keydirJson("pki issue " + pki_ + " --name carrier --type sp --spc 1234");
    // The carrier holds only an SPC: delegating a range needs the map to prove it.
    keydirJson("pki issue " + pki_ +
               " --name acme --type enterprise --issuer carrier "
               "--range 12025550100-100 --spc-map " +
               (dir_ / "map.csv").string());
    db_ = (dir_ / "dir.db").string();
    trust_ = pki_ + "/trust.pem";
  }
  std::unique_ptr<ServeProcess> serve() {
    auto server = std::make_unique<ServeProcess>(
        std::vector<std::string>{"--db", db_, "--trust", trust_, "--listen", "127.0.0.1:0",
                                 "--spc-map", (dir_ / "map.csv").string(), "--access-log", ""},
        dir_ / "serve.log");
    EXPECT_NE(server->port(), 0) << readText(dir_ / "serve.log");
    return server;
  }
  std::string credential(const std::string& name, const std::string& out) {
    keydirJson("credential new --cert " + pki_ + "/" + name + ".chain.pem --key " + pki_ + "/" +
               name + ".key --out " + (dir_ / out).string());
    return (dir_ / out).string();
  }

  TempDir dir_;
  std::string pki_, db_, trust_;
};

TEST_F(DirectoryCli, RegisterLookUpAndRevokeAgainstARunningServer) {
  auto server = serve();
  std::string cred = credential("acme", "acme-key");
  nlohmann::json record =
      keydirJson("register --server " + server->url() + " --credential " + cred);
  std::string id = record["id"];
  EXPECT_EQ(keydirJson("register --server " + server->url() + " --credential " + cred)["id"], id);

  std::string lookup = "lookup 12025550150 --server " + server->url() + " --trust " + trust_ +
                       " --spc-map " + (dir_ / "map.csv").string();
  nlohmann::json found = keydirJson(lookup);
  ASSERT_EQ(found["keys"].size(), 1u);
  EXPECT_EQ(found["keys"][0]["id"], id);
  EXPECT_TRUE(found["rejected"].empty());

  nlohmann::json revoked = keydirJson("revoke " + id + " --server " + server->url() + " --cert " +
                                      pki_ + "/carrier.chain.pem --key " + pki_ + "/carrier.key");
  EXPECT_EQ(revoked["status"], "revoked");
  EXPECT_TRUE(keydirJson(lookup)["keys"].empty());
  EXPECT_EQ(server->stop(), 0);
}

TEST_F(DirectoryCli, LookupReportsRecordsItCannotVerify) {
  auto server = serve();
  keydirJson("register --server " + server->url() + " --credential " + credential("acme", "k"));
  // Another operator's anchors: the directory's records do not verify against them.
  keydirJson("pki init " + (dir_ / "other").string());
  nlohmann::json found = keydirJson("lookup 12025550150 --server " + server->url() + " --trust " +
                                        (dir_ / "other" / "trust.pem").string(),
                                    1);
  EXPECT_TRUE(found["keys"].empty());
  ASSERT_EQ(found["rejected"].size(), 1u);
  EXPECT_EQ(found["rejected"][0]["problem"], "untrusted-chain");
}

TEST_F(DirectoryCli, RefusalsCarryTheProblemTypeAndExitOne) {
  auto server = serve();
  keydirJson("pki issue " + pki_ +
             " --name plain --type enterprise --tn 14155550123 "
             "--no-delegation-usage");
  CommandRun refused = keydir("register --server " + server->url() + " --credential " +
                              credential("plain", "plain-key"));
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.output.find("keydir: not-authorized: "), std::string::npos) << refused.output;
  CommandRun bad_tn = keydir("lookup 12x --server " + server->url() + " --trust " + trust_);
  EXPECT_EQ(bad_tn.status, 1);
  EXPECT_NE(bad_tn.output.find("invalid-tn"), std::string::npos);
  CommandRun nobody = keydir("lookup 1202 --server http://127.0.0.1:1 --trust " + trust_);
  EXPECT_EQ(nobody.status, 1);
  EXPECT_NE(nobody.output.find("unavailable"), std::string::npos);
}

TEST_F(DirectoryCli, SpcImportLoadsAllOrNothing) {
  testing::writeText(dir_ / "bad.csv", "1-13125550000-100,5678\n0-1234,9\n");
  CommandRun bad = keydir("spc import " + (dir_ / "bad.csv").string() + " --db " + db_);
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.output.find("line 2"), std::string::npos) << bad.output;
  nlohmann::json good = keydirJson("spc import " + (dir_ / "map.csv").string() + " --db " + db_);
  EXPECT_EQ(good["imported"], 1);
  auto server = serve();
  std::string output;
  runCommand("curl -s " + server->url() + "/v1/meta", &output);
  EXPECT_EQ(nlohmann::json::parse(output)["spc_map_entries"], 1);  // bad.csv added nothing
}

TEST_F(DirectoryCli, ImportVerifiesEachLineLikeTheApi) {
  std::string good = readText(credential("acme", "a") + "/credential.json");
  std::string other = readText(credential("acme", "b") + "/credential.json");
  nlohmann::json tampered = nlohmann::json::parse(other);
  std::string dc = tampered["dc"];
  dc[dc.size() - 5] = dc[dc.size() - 5] == 'A' ? 'B' : 'A';
  tampered["dc"] = dc;
  std::ofstream(dir_ / "keys.ndjson") << nlohmann::json::parse(good).dump() << "\n"
                                      << "not json\n"
                                      << tampered.dump() << "\n"
                                      << nlohmann::json::parse(good).dump() << "\n";
  keydirJson("spc import " + (dir_ / "map.csv").string() + " --db " + db_);
  CommandRun run = keydir("import " + (dir_ / "keys.ndjson").string() + " --db " + db_ +
                          " --trust " + trust_ + " 2>&1");
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.output.find("line 2: malformed"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("line 3: bad-signature"), std::string::npos) << run.output;
  nlohmann::json counts = nlohmann::json::parse(run.output.substr(run.output.find('{')));
  EXPECT_EQ(counts["imported"], 1);
  EXPECT_EQ(counts["already_present"], 1);
  EXPECT_EQ(counts["refused"], 2);
}

TEST_F(DirectoryCli, PrintConfigShowsEverySettingResolved) {
  testing::writeText(dir_ / "config.json",
                     R"({"max_keys_per_signer_scope": 2, "listen": "0.0.0.0:9"})");
  nlohmann::json config = keydirJson("serve --config " + (dir_ / "config.json").string() +
                                     " --listen 127.0.0.1:7000 --set write-burst=7 --print-config");
  EXPECT_EQ(config["max_keys_per_signer_scope"], 2);  // from the file
  EXPECT_EQ(config["listen"], "127.0.0.1:7000");      // the flag wins over the file
  EXPECT_EQ(config["write_burst"], 7.0);              // --set
  EXPECT_EQ(config["max_body_bytes"], 65536);         // default
  EXPECT_EQ(config["public_url"], "http://127.0.0.1:7000");
  CommandRun unknown = keydir("serve --set colour=blue --print-config");
  EXPECT_EQ(unknown.status, 1);
  EXPECT_NE(unknown.output.find("unknown setting 'colour'"), std::string::npos);
  CommandRun no_trust = keydir("serve --db " + db_);
  EXPECT_EQ(no_trust.status, 1);
  EXPECT_NE(no_trust.output.find("nothing is trusted by default"), std::string::npos);
}

}  // namespace
}  // namespace keydir
