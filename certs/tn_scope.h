#pragma once
// One TNAuthList entry as a scope string (draft-ietf-stir-servprovider-oob
// section 4; docs/design.md section 2): "0-<SPC>", "1-<start>-<count>", "2-<TN>".

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "certs/error.h"
#include "certs/prefix_block.h"

namespace keydir {

class TnScope {
 public:
  // The numbers are the TNEntry CHOICE tags of RFC 8226.
  enum class Kind { kSpc = 0, kRange = 1, kNumber = 2 };

  // Parses a scope string. kMalformed names what is wrong: unknown kind,
  // non-digits, count < 2, a range that leaves its digit length, and so on.
  static Result<TnScope> parse(std::string_view text);

  // Checked constructors, with the same rules and errors as parse().
  static Result<TnScope> spc(std::string_view code);
  static Result<TnScope> range(std::string_view start, std::uint64_t count);
  static Result<TnScope> number(std::string_view tn);

  Kind kind() const { return kind_; }
  // The SPC of an SPC scope, or the first number of a range or number scope.
  const std::string& value() const { return value_; }
  // Numbers in a range; 1 for a number scope; 0 for an SPC scope.
  std::uint64_t count() const { return count_; }
  // The last number of a range or number scope.
  std::string last() const;

  std::string toString() const;

  // For range and number scopes: is `tn` one of its numbers? SPC scopes need
  // the SPC map; see scopeContains() in certs/tn_set.h.
  bool holdsNumber(std::string_view tn) const;
  // For range and number scopes: the blocks that tile it exactly.
  std::vector<PrefixBlock> prefixBlocks() const;

  bool operator==(const TnScope&) const = default;

 private:
  TnScope(Kind kind, std::string value, std::uint64_t count)
      : kind_(kind), value_(std::move(value)), count_(count) {}

  Kind kind_;
  std::string value_;
  std::uint64_t count_;
};

// Parses every string; the first failure is returned with its position.
Result<std::vector<TnScope>> parseScopes(const std::vector<std::string>& texts);
std::vector<std::string> scopeStrings(const std::vector<TnScope>& scopes);

// Orders scopes most specific first: numbers, then ranges by count, then SPCs.
bool moreSpecific(const TnScope& a, const TnScope& b);

}  // namespace keydir
