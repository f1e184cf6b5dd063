#include "certs/in_memory_spc_map.h"

#include <string>

namespace keydir {

void InMemorySpcMap::add(SpcAssignment assignment) {
  for (auto& existing : assignments_) {
    if (existing.scope == assignment.scope) {
      existing = std::move(assignment);
      return;
    }
  }
  assignments_.push_back(std::move(assignment));
}

Result<std::size_t> InMemorySpcMap::loadCsv(std::istream& input) {
  auto parsed = parseSpcMapCsv(input);
  if (!parsed) return failWithContext(parsed.error(), "SPC map");
  for (auto& assignment : *parsed) add(std::move(assignment));
  return parsed->size();
}

std::optional<std::string> InMemorySpcMap::spcOf(std::string_view tn) const {
  return mostSpecificSpc(assignments_, tn);
}

std::vector<SpcAssignment> InMemorySpcMap::assignmentsOverlapping(const PrefixBlock& block) const {
  std::vector<SpcAssignment> result;
  for (const auto& assignment : assignments_) {
    if (scopeOverlapsBlock(assignment.scope, block)) result.push_back(assignment);
  }
  return result;
}

std::vector<SpcAssignment> InMemorySpcMap::assignmentsOf(std::string_view spc) const {
  std::vector<SpcAssignment> result;
  for (const auto& assignment : assignments_) {
    if (assignment.spc == spc) result.push_back(assignment);
  }
  return result;
}

}  // namespace keydir
