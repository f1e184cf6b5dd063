#pragma once
// Command-line options of one subcommand: declared with their help, parsed
// strictly (an unknown or incomplete option is a usage error), and printed
// as `--help`.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certs/error.h"

namespace keydir::tool {

class Options {
 public:
  Options(std::string usage, std::string description)
      : usage_(std::move(usage)), description_(std::move(description)) {}

  // An option taking a value; `repeatable` ones may be given many times.
  Options& value(std::string name, std::string help, bool repeatable = false);
  Options& flag(std::string name, std::string help);
  // Names the positional arguments for help; `count` of them are required.
  Options& positionals(std::size_t count) {
    positional_count_ = count;
    return *this;
  }

  // Returns the exit status to end with when parsing did not leave the
  // command ready to run (help printed, or a usage error reported).
  std::optional<int> parse(const std::vector<std::string_view>& args);

  std::optional<std::string> get(const std::string& name) const;
  std::string get(const std::string& name, const std::string& fallback) const;
  std::vector<std::string> all(const std::string& name) const;
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  const std::vector<std::string>& positional() const { return positional_; }

  void printHelp() const;
  int usageError(const std::string& message) const;

 private:
  struct Spec {
    std::string help;
    bool takes_value;
    bool repeatable;
  };
  std::string usage_;
  std::string description_;
  std::map<std::string, Spec> specs_;
  std::vector<std::string> order_;
  std::size_t positional_count_ = 0;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

// Prints `error` on stderr as "keydir: <type>: <message>"; returns kExitRefused.
int reportError(const Error& error);
// Prints JSON on stdout, indented, with a final newline.
void printJson(const std::string& dumped);

}  // namespace keydir::tool
