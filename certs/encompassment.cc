#include "certs/encompassment.h"

#include <algorithm>
#include <optional>

namespace keydir {
namespace {

// How much of a block a set of numbers covers. kFull and kNone are exact;
// kPartial may be said of a block that turns out full or empty, and only
// means "look at its children".
enum class Coverage { kNone, kPartial, kFull };

Coverage rangeCoverage(const TnScope& scope, const PrefixBlock& block) {
  if (scopeHoldsBlock(scope, block)) return Coverage::kFull;
  if (scopeOverlapsBlock(scope, block)) return Coverage::kPartial;
  return Coverage::kNone;
}

Coverage spcCoverage(std::string_view spc, const PrefixBlock& block, const SpcMap* spc_map) {
  if (!spc_map) return Coverage::kNone;
  std::vector<SpcAssignment> overlapping = spc_map->assignmentsOverlapping(block);
  // The most specific entry holding the whole block sets its default SPC;
  // entries reaching only part of it may override parts.
  const SpcAssignment* holder = nullptr;
  bool inner_names_spc = false;
  bool inner_names_other = false;
  for (const auto& assignment : overlapping) {
    if (scopeHoldsBlock(assignment.scope, block)) {
      if (!holder || assignment.scope.count() < holder->scope.count()) holder = &assignment;
    } else {
      (assignment.spc == spc ? inner_names_spc : inner_names_other) = true;
    }
  }
  bool default_is_spc = holder && holder->spc == spc;
  if (default_is_spc && !inner_names_other) return Coverage::kFull;
  if (!default_is_spc && !inner_names_spc) return Coverage::kNone;
  return Coverage::kPartial;
}

Coverage scopeCoverage(const TnScope& scope, const PrefixBlock& block, const SpcMap* spc_map) {
  if (scope.kind() == TnScope::Kind::kSpc) return spcCoverage(scope.value(), block, spc_map);
  return rangeCoverage(scope, block);
}

Coverage unionCoverage(const std::vector<TnScope>& scopes, const PrefixBlock& block,
                       const SpcMap* spc_map) {
  Coverage best = Coverage::kNone;
  for (const auto& scope : scopes) {
    Coverage c = scopeCoverage(scope, block, spc_map);
    if (c == Coverage::kFull) return c;
    if (c == Coverage::kPartial) best = c;
  }
  return best;
}

// Finds a block of `lower` inside `block` that `upper` does not cover, if any.
// Recursion only descends where an edge of some entry falls inside the block,
// so the work follows the number of entries, not the number of TNs.
std::optional<PrefixBlock> uncoveredWithin(const TnScope& lower, const std::vector<TnScope>& upper,
                                           const PrefixBlock& block, const SpcMap* spc_map) {
  Coverage have = scopeCoverage(lower, block, spc_map);
  if (have == Coverage::kNone) return std::nullopt;
  Coverage allowed = unionCoverage(upper, block, spc_map);
  if (allowed == Coverage::kFull) return std::nullopt;
  // Coverage of a single number is always exact, so this ends there at the latest.
  if ((have == Coverage::kFull && allowed == Coverage::kNone) || block.isSingleNumber()) {
    return block;
  }
  for (const auto& child : block.children()) {
    if (auto outside = uncoveredWithin(lower, upper, child, spc_map)) return outside;
  }
  return std::nullopt;
}

Result<void> checkOneEncompassed(const TnScope& lower, const std::vector<TnScope>& upper,
                                 const SpcMap* spc_map) {
  if (std::find(upper.begin(), upper.end(), lower) != upper.end()) return {};
  std::vector<PrefixBlock> seeds;
  if (lower.kind() == TnScope::Kind::kSpc) {
    std::vector<SpcAssignment> assignments =
        spc_map ? spc_map->assignmentsOf(lower.value()) : std::vector<SpcAssignment>{};
    if (assignments.empty()) {
      return fail(ErrorCode::kNotAuthorized, "scope " + lower.toString() +
                                                 " is not in the issuer's TNAuthList and the SPC "
                                                 "map has no numbers for SPC " +
                                                 lower.value() + " to compare");
    }
    for (const auto& assignment : assignments) {
      auto blocks = assignment.scope.prefixBlocks();
      seeds.insert(seeds.end(), blocks.begin(), blocks.end());
    }
  } else {
    seeds = lower.prefixBlocks();
  }
  for (const auto& seed : seeds) {
    if (auto outside = uncoveredWithin(lower, upper, seed, spc_map)) {
      return fail(ErrorCode::kNotAuthorized, "scope " + lower.toString() +
                                                 " reaches numbers outside the issuer's "
                                                 "TNAuthList, such as " +
                                                 outside->first() + " to " + outside->last());
    }
  }
  return {};
}

}  // namespace

bool scopeContains(const TnScope& scope, std::string_view tn, const SpcMap* spc_map) {
  if (scope.kind() != TnScope::Kind::kSpc) return scope.holdsNumber(tn);
  if (!spc_map) return false;
  auto spc = spc_map->spcOf(tn);
  return spc && *spc == scope.value();
}

Result<void> checkEncompassed(const std::vector<TnScope>& lower, const std::vector<TnScope>& upper,
                              const SpcMap* spc_map) {
  for (const auto& scope : lower) {
    if (auto ok = checkOneEncompassed(scope, upper, spc_map); !ok) return ok;
  }
  return {};
}

}  // namespace keydir
