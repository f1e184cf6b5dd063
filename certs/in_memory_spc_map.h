#pragma once
// An SPC map held in memory, for tools and tests. The directory keeps its map
// in SQLite behind the same interface.

#include <istream>
#include <vector>

#include "certs/spc_map.h"

namespace keydir {

class InMemorySpcMap : public SpcMap {
 public:
  // Adds an entry; an entry for the same scope replaces the earlier one.
  void add(SpcAssignment assignment);
  // Reads CSV lines "scope,spc"; blank lines and lines starting with '#' are
  // skipped. On a bad line nothing is added and the error names the line.
  Result<std::size_t> loadCsv(std::istream& input);

  std::optional<std::string> spcOf(std::string_view tn) const override;
  std::vector<SpcAssignment> assignmentsOverlapping(const PrefixBlock& block) const override;
  std::vector<SpcAssignment> assignmentsOf(std::string_view spc) const override;

 private:
  std::vector<SpcAssignment> assignments_;
};

}  // namespace keydir
