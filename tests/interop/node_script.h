#pragma once
// Runs one of tests/interop's node scripts (the independent implementations
// keydir is checked against) with shell-quoted arguments.

#include <filesystem>
#include <string>

#include "tests/support/temp_dir.h"

namespace keydir::testing {

inline const std::filesystem::path kInteropDir = KEYDIR_INTEROP_DIR;

// `text` as one shell word.
inline std::string shellQuoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs `node tests/interop/SCRIPT ARGUMENTS`; stdout alone comes back in
// `output`, without its final newline. Returns the exit status.
inline int runNodeScript(const std::string& script, const std::string& arguments,
                         std::string* output) {
  int status = runCommand(
      "(node " + (kInteropDir / script).string() + " " + arguments + " 2>/dev/null)", output);
  while (!output->empty() && (output->back() == '\n' || output->back() == '\r')) {
    output->pop_back();
  }
  return status;
}

}  // namespace keydir::testing
