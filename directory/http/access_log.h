#pragma once
// One JSON line per request (docs/design.md section 6). Telephone numbers in paths
// are cut to their first digits unless the operator asks for them whole, so
// the log does not become a record of who looked up whom. Thread-safe.

#include <fstream>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

#include "certs/error.h"

namespace keydir {

struct AccessEntry {
  std::string client;
  std::string method;
  std::string path;
  int status = 0;
  std::size_t bytes = 0;
  double seconds = 0;
  bool verbatim = false;  // the path names no TN: log it as it is
};

class AccessLog {
 public:
  // `destination`: a file to append to, "-" for stderr, "" for no log.
  static Result<std::unique_ptr<AccessLog>> open(const std::string& destination, bool full_tns);
  void write(const AccessEntry& entry);

 private:
  AccessLog(std::unique_ptr<std::ofstream> file, std::ostream* out, bool full_tns)
      : file_(std::move(file)), out_(out), full_tns_(full_tns) {}
  std::unique_ptr<std::ofstream> file_;
  std::ostream* out_;
  bool full_tns_;
  std::mutex mutex_;
};

// "/v1/tns/12025550100/keys" -> "/v1/tns/1202*******/keys": a run of more
// than four digits (or a '+' and digits) keeps its first four.
std::string redactNumbers(std::string_view path);

}  // namespace keydir
