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

// The options every server has beside its own: --listen, its TLS
// certificate, the access log, and the settings' file, --set and
// --print-config. runServer() takes the first four as settings itself.
inline Options& addServerSettingOptions(Options& options) {
  return options
      .value("listen", "HOST:PORT to listen on (default 127.0.0.1:8080; port 0 picks one)")
      .value("tls-cert", "server certificate (PEM) for HTTPS")
      .value("tls-key", "server private key (PEM) for HTTPS")
      .value("access-log", "file for the access log, - for stderr, empty for none")
      .value("config", "JSON file of settings")
      .value("set", "NAME=VALUE for any setting of --print-config", true)
      .flag("print-config", "print the resolved settings and exit");
}

// `flags` are the server's own options that are also setting names; the
// shared ones of addServerSettingOptions() are added here.
template <class Server>
int runServer(const Options& options, const std::vector<std::string>& flags,
              const std::function<Result<std::unique_ptr<Server>>(const DirectoryConfig&)>& create,
              const std::function<std::string(const DirectoryConfig&, Server&)>& listening) {
  std::vector<std::string> settings = flags;
  settings.insert(settings.end(), {"listen", "tls-cert", "tls-key", "access-log"});
  auto resolved = resolveDirectoryConfig(options, settings);
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
