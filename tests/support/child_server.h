#pragma once
// A server from outside the project (openssl s_server, nghttpx,
// redis-server) as a child process on a free port of 127.0.0.1, stopped
// with SIGTERM when the object goes. The command line is given with
// "{port}" where the port goes; a port someone else took is tried again
// with another.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

namespace keydir::testing {

class ChildServer {
 public:
  // Runs `argv` in `dir` with its output to `log`, and waits up to 10 s
  // for it to listen.
  ChildServer(std::vector<std::string> argv, const std::filesystem::path& dir,
              const std::filesystem::path& log)
      : argv_(std::move(argv)), dir_(dir), log_(log) {
    std::mt19937 draw(std::random_device{}());
    for (int attempt = 0; attempt < 10 && port_ == 0; ++attempt) {
      if (launch(20000 + int(draw() % 40000))) return;
    }
  }
  ~ChildServer() { stop(); }
  ChildServer(const ChildServer&) = delete;
  ChildServer& operator=(const ChildServer&) = delete;

  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  // Stops it and starts it again on the same port; false when it did not
  // listen again.
  bool restart() {
    stop();
    const int port = port_;
    port_ = 0;
    for (int attempt = 0; attempt < 20 && port_ == 0; ++attempt) {
      if (launch(port)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  // 0 when it never listened.
  int port() const { return port_; }

 private:
  // Starts it on `port`; true once it listens there.
  bool launch(int port) {
    std::vector<std::string> args = argv_;
    for (std::string& arg : args) {
      for (std::size_t at; (at = arg.find("{port}")) != std::string::npos;) {
        arg.replace(at, 6, std::to_string(port));
      }
    }
    pid_ = fork();
    if (pid_ == 0) {
      std::filesystem::current_path(dir_);
      // Its output into its log; if that fails it goes to the test's own.
      if (!freopen(log_.c_str(), "a", stdout) || !freopen(log_.c_str(), "a", stderr)) {
        perror("freopen");
      }
      std::vector<char*> raw;
      for (auto& arg : args) raw.push_back(arg.data());
      raw.push_back(nullptr);
      execvp(raw[0], raw.data());
      _exit(127);
    }
    for (int wait = 0; wait < 200; ++wait) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;  // it ended: most likely the port was taken
        return false;
      }
      std::string output;
      if (runCommand("ss -ltn 'sport = :" + std::to_string(port) + "' | grep -q LISTEN", &output) ==
          0) {
        port_ = port;
        return true;
      }
    }
    return false;
  }

  std::vector<std::string> argv_;
  std::filesystem::path dir_, log_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace keydir::testing
