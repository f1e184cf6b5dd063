#pragma once
// A PKI made by `keydir pki`, an SPC map, and `keydir serve` as a child
// process on a free port: the set-up of the command-line suites that talk
// to a directory.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "tests/support/keydir_cli.h"
#include "tests/support/keydir_process.h"
#include "tests/support/temp_dir.h"

namespace keydir::testing {

// `keydir serve` as a child process.
class ServeProcess : public KeydirProcess {
 public:
  ServeProcess(const std::vector<std::string>& arguments, const std::filesystem::path& log)
      : KeydirProcess("serve", arguments, log) {}
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
