#pragma once
// The options every command that talks to a directory shares.

#include "directory/client/directory_client.h"
#include "tools/keydir/options.h"

namespace keydir::tool {

inline Options& addServerOptions(Options& options) {
  return options.value("server", "directory base URL, e.g. https://127.0.0.1:8443")
      .value("tls-ca", "PEM bundle that signed the directory's TLS certificate");
}

inline Result<DirectoryClient> clientFrom(const Options& options) {
  auto server = options.get("server");
  if (!server) return fail(ErrorCode::kMalformed, "--server is required");
  return DirectoryClient::create(*server, options.get("tls-ca", ""));
}

}  // namespace keydir::tool
