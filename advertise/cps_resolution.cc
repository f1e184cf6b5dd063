#include "advertise/cps_resolution.h"

#include <algorithm>

#include "certs/encompassment.h"

namespace keydir {

std::vector<CpsEntry> resolveCps(std::string_view tn, const std::vector<CpsEntry>& entries,
                                 const SpcMap* spc_map) {
  std::vector<CpsEntry> matches;
  for (const auto& entry : entries) {
    if (scopeContains(entry.scope, tn, spc_map)) matches.push_back(entry);
  }
  std::stable_sort(matches.begin(), matches.end(), [](const CpsEntry& a, const CpsEntry& b) {
    return moreSpecific(a.scope, b.scope);
  });
  return matches;
}

}  // namespace keydir
