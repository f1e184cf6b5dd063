#pragma once
// One metric's value in Prometheus text as /metrics serves it.

#include <string>

namespace keydir::testing {

// The value of the line "NAME{labels} VALUE" whose name and labels are
// `line`; `absent` when no such line is there.
inline double metricValue(const std::string& text, const std::string& line, double absent) {
  const std::size_t at = text.find("\n" + line + " ");
  if (at == std::string::npos) return absent;
  return std::stod(text.substr(at + line.size() + 2));
}

}  // namespace keydir::testing
