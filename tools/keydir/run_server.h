#pragma once
// What `keydir serve` and `keydir cache` do once their options parse:
// resolve the settings (or print them with --print-config), create the
// server with SIGINT and SIGTERM kept for the main thread, say where it
// listens, and stop it cleanly when either signal comes.

#include <csignal>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "tools/keydir/command.h"
#include "tools/keydir/directory_config_options.h"
#include "tools/keydir/options.h"

namespace keydir::tool {

template <class Server>
int runServer(const Options& options, const std::vector<std::string>& flags,
              const std::function<Result<std::unique_ptr<Server>>(const DirectoryConfig&)>& create,
              const std::function<std::string(const DirectoryConfig&, Server&)>& listening) {
  auto resolved = resolveDirectoryConfig(options, flags);
  if (!resolved) return reportError(resolved.error());
  const DirectoryConfig& config = *resolved;
  if (options.has("print-config")) {
    printJson(config.toJson().dump(2));
    return kExitOk;
  }
  // Blocked before any thread starts, so that only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto server = create(config);
  if (!server) return reportError(server.error());
  // Said before the server's threads start to talk, so the line stays whole.
  std::cerr << "keydir: " << listening(config, **server) << std::endl;
  (*server)->start();
  int received = 0;
  sigwait(&stop_signals, &received);
  std::cerr << "keydir: stopping" << std::endl;
  (*server)->stop();
  return kExitOk;
}

}  // namespace keydir::tool
