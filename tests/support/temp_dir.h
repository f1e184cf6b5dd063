#pragma once
// A fresh directory under $TMPDIR, removed with everything in it when the
// test ends.

#include <filesystem>
#include <string>

namespace keydir::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Runs a shell command; returns its exit status and fills `output` with
// stdout and stderr together.
int runCommand(const std::string& command, std::string* output);

std::string readText(const std::filesystem::path& file);
void writeText(const std::filesystem::path& file, const std::string& text);

}  // namespace keydir::testing
