#pragma once
// CPS entries written the short way in tests: {{"0-1234", "https://..."}}.

#include <initializer_list>
#include <utility>
#include <vector>

#include "advertise/advertisement.h"

namespace keydir::testing {

inline std::vector<CpsEntry> cpsEntries(
    std::initializer_list<std::pair<const char*, const char*>> pairs) {
  std::vector<CpsEntry> list;
  for (const auto& [scope, uri] : pairs) list.push_back({TnScope::parse(scope).value(), uri});
  return list;
}

}  // namespace keydir::testing
