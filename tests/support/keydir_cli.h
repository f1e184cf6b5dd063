#pragma once
// Runs the keydir binary (KEYDIR_BINARY, set by the test target) as a user
// would, for the command-line suites.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/temp_dir.h"

namespace keydir::testing {

struct CommandRun {
  int status;
  std::string output;  // stdout and stderr together
};

inline CommandRun keydir(const std::string& arguments) {
  CommandRun run;
  run.status = runCommand(std::string(KEYDIR_BINARY) + " " + arguments, &run.output);
  return run;
}

// Runs keydir, expects `expected_status`, and parses stdout alone as JSON.
inline nlohmann::json keydirJson(const std::string& arguments, int expected_status = 0) {
  std::string output;
  // A subshell, so that runCommand's own 2>&1 cannot bring stderr back.
  int status =
      runCommand("(" + std::string(KEYDIR_BINARY) + " " + arguments + " 2>/dev/null)", &output);
  EXPECT_EQ(status, expected_status) << arguments << "\n" << output;
  return nlohmann::json::parse(output, nullptr, false);
}

}  // namespace keydir::testing
