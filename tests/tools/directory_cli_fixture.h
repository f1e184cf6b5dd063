#pragma once
// A PKI made by `keydir pki`, an SPC map, and `keydir serve` as a child
// process on a free port: the set-up of the command-line suites that talk
// to a directory.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <thread>

#include "tests/support/keydir_cli.h"
#include "tests/support/temp_dir.h"

namespace keydir::testing {

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
  std::unique_ptr<ServeProcess> serve(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> arguments = {"--db",         db_,
                                          "--trust",      trust_,
                                          "--listen",     "127.0.0.1:0",
                                          "--spc-map",    (dir_ / "map.csv").string(),
                                          "--access-log", ""};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    auto server = std::make_unique<ServeProcess>(arguments, dir_ / "serve.log");
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

}  // namespace keydir::testing
