#include "directory/http/access_log.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "certs/instant.h"

namespace keydir {

Result<std::unique_ptr<AccessLog>> AccessLog::open(const std::string& destination, bool full_tns) {
  if (destination.empty()) {
    return std::unique_ptr<AccessLog>(new AccessLog(nullptr, nullptr, full_tns));
  }
  if (destination == "-") {
    return std::unique_ptr<AccessLog>(new AccessLog(nullptr, &std::cerr, full_tns));
  }
  auto file = std::make_unique<std::ofstream>(destination, std::ios::app);
  if (!*file) return fail(ErrorCode::kUnavailable, "cannot open access log " + destination);
  std::ostream* out = file.get();
  return std::unique_ptr<AccessLog>(new AccessLog(std::move(file), out, full_tns));
}

void AccessLog::write(const AccessEntry& entry) {
  if (!out_) return;
  nlohmann::json line = {
      {"time", rfc3339(nowInstant())},
      {"client", entry.client},
      {"method", entry.method},
      {"path", full_tns_ || entry.verbatim ? entry.path : redactNumbers(entry.path)},
      {"status", entry.status},
      {"bytes", entry.bytes},
      {"ms", static_cast<long long>(entry.seconds * 1000 + 0.5)}};
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard lock(mutex_);
  *out_ << text << '\n';
  out_->flush();
}

std::string redactNumbers(std::string_view path) {
  constexpr std::size_t kKept = 4;
  std::string out;
  out.reserve(path.size());
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t start = i;
    if (path[i] == '+' || std::isdigit(static_cast<unsigned char>(path[i]))) {
      std::size_t end = i + (path[i] == '+' ? 1 : 0);
      while (end < path.size() &&
             (std::isdigit(static_cast<unsigned char>(path[end])) || path[end] == '-' ||
              path[end] == '.' || path[end] == ' ' || path[end] == '(' || path[end] == ')')) {
        ++end;
      }
      std::size_t digits = 0;
      for (std::size_t j = start; j < end; ++j) {
        if (std::isdigit(static_cast<unsigned char>(path[j]))) ++digits;
      }
      if (digits > kKept) {
        std::size_t kept = 0;
        for (std::size_t j = start; j < end; ++j) {
          bool digit = std::isdigit(static_cast<unsigned char>(path[j]));
          if (digit && kept >= kKept) {
            out += '*';
          } else {
            out += path[j];
            if (digit) ++kept;
          }
        }
        i = end;
        continue;
      }
    }
    out += path[i++];
  }
  return out;
}

}  // namespace keydir
