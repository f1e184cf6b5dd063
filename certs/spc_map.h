#pragma once
// The operator's table from TNs and TN ranges to service provider codes
// (docs/design.md section 2). A TN is in SPC X when the most specific entry holding it
// says X, so a ported number overrides its block. Without an entry, an SPC
// scope covers nothing.

#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certs/error.h"
#include "certs/prefix_block.h"
#include "certs/tn_scope.h"

namespace keydir {

struct SpcAssignment {
  TnScope scope;  // a range or number scope, never an SPC
  std::string spc;
  bool operator==(const SpcAssignment&) const = default;
};

// Read access to an SPC map. Implementations are safe to read from many
// threads at once.
class SpcMap {
 public:
  virtual ~SpcMap() = default;
  // The SPC of a canonical TN, if any entry holds it.
  virtual std::optional<std::string> spcOf(std::string_view tn) const = 0;
  // Every entry sharing at least one number with `block`, whatever its SPC.
  virtual std::vector<SpcAssignment> assignmentsOverlapping(const PrefixBlock& block) const = 0;
  // Every entry that names `spc`.
  virtual std::vector<SpcAssignment> assignmentsOf(std::string_view spc) const = 0;
};

// Parses one CSV line "scope,spc" (scope 1-... or 2-...). kMalformed says why.
Result<SpcAssignment> parseSpcMapLine(std::string_view line);

// Parses a whole CSV: lines "scope,spc", blank lines and '#' comments
// skipped. The first bad line fails everything, named by its number.
Result<std::vector<SpcAssignment>> parseSpcMapCsv(std::istream& input);

// True when `scope` (range or number) holds every number of `block`.
bool scopeHoldsBlock(const TnScope& scope, const PrefixBlock& block);
// True when `scope` (range or number) holds at least one number of `block`.
bool scopeOverlapsBlock(const TnScope& scope, const PrefixBlock& block);

// Picks the most specific assignment holding `tn` from candidates.
std::optional<std::string> mostSpecificSpc(const std::vector<SpcAssignment>& candidates,
                                           std::string_view tn);

}  // namespace keydir
