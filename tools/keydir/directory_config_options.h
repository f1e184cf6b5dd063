#pragma once
// How `keydir serve` and `keydir import` turn their options into a
// DirectoryConfig: defaults, then --config FILE, then the named flags, then
// each --set NAME=VALUE (docs/design.md section 6, STYLE rule 11).

#include <string>
#include <vector>

#include "directory/directory_config.h"
#include "tools/keydir/options.h"

namespace keydir::tool {

// `flags` are option names that are also setting names ("db", "tls-cert");
// a repeatable one ("crl") adds each value.
inline Result<DirectoryConfig> resolveDirectoryConfig(const Options& options,
                                                      const std::vector<std::string>& flags) {
  DirectoryConfig config;
  if (auto file = options.get("config")) {
    if (auto ok = config.loadFile(*file); !ok) return std::unexpected(ok.error());
  }
  for (const auto& name : flags) {
    for (const auto& value : options.all(name)) {
      if (auto ok = config.set(name, value); !ok) return std::unexpected(ok.error());
    }
  }
  for (const auto& assignment : options.all("set")) {
    if (auto ok = config.setAssignment(assignment); !ok) return std::unexpected(ok.error());
  }
  return config;
}

}  // namespace keydir::tool
