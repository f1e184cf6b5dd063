#pragma once
// A keydir server (`keydir serve` or `keydir cache`) as a child process on
// a free port, for the suites that test real processes. It is stopped with
// SIGTERM, or killed with SIGKILL as a crash would.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

namespace keydir::testing {

class KeydirProcess {
 public:
  // Runs `keydir SUBCOMMAND ARGUMENTS...` with stderr to `log`, and waits
  // until it says where it listens (up to 10 s).
  KeydirProcess(const std::string& subcommand, const std::vector<std::string>& arguments,
                const std::filesystem::path& log)
      : log_(log) {
    pid_ = fork();
    if (pid_ == 0) {
      std::vector<std::string> all = {KEYDIR_BINARY, subcommand};
      all.insert(all.end(), arguments.begin(), arguments.end());
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      // The child's stderr into its log; if that fails it runs on with the
      // test's own, and its lines land in the test's output instead.
      if (!freopen(log.c_str(), "w", stderr)) perror("freopen");
      execv(KEYDIR_BINARY, argv.data());
      _exit(127);
    }
    for (int i = 0; i < 200 && port_ == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      std::string text = readText(log);
      auto at = text.find("listening on http");
      if (at == std::string::npos) continue;
      auto colon = text.find(':', text.find("//", at));
      if (colon != std::string::npos) port_ = std::stoi(text.substr(colon + 1));
    }
  }
  ~KeydirProcess() { stop(); }
  KeydirProcess(const KeydirProcess&) = delete;
  KeydirProcess& operator=(const KeydirProcess&) = delete;

  // SIGTERM, and the exit status (-1 when it did not exit normally).
  int stop() { return end(SIGTERM); }
  // SIGKILL: no chance to finish anything.
  void kill9() { end(SIGKILL); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  std::string log() const { return readText(log_); }

 private:
  int end(int signal) {
    if (pid_ <= 0) return exit_status_;
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_status_;
  }

  std::filesystem::path log_;
  pid_t pid_ = -1;
  int port_ = 0;
  int exit_status_ = -1;
};

}  // namespace keydir::testing
