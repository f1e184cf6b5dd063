#include "certs/spc_map.h"

#include <string>

namespace keydir {

Result<SpcAssignment> parseSpcMapLine(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  std::size_t comma = line.find(',');
  if (comma == std::string_view::npos) {
    return fail(ErrorCode::kMalformed, "expected 'scope,spc' but found no comma");
  }
  auto scope = TnScope::parse(line.substr(0, comma));
  if (!scope) return std::unexpected(scope.error());
  if (scope->kind() == TnScope::Kind::kSpc) {
    return fail(ErrorCode::kMalformed,
                "an SPC map entry maps a range (1-) or a number (2-), "
                "not an SPC");
  }
  auto spc = TnScope::spc(line.substr(comma + 1));
  if (!spc) return std::unexpected(spc.error());
  return SpcAssignment{std::move(*scope), spc->value()};
}

Result<std::vector<SpcAssignment>> parseSpcMapCsv(std::istream& input) {
  std::vector<SpcAssignment> entries;
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(input, line)) {
    ++line_number;
    if (line.empty() || line == "\r" || line[0] == '#') continue;
    auto entry = parseSpcMapLine(line);
    if (!entry) return failWithContext(entry.error(), "line " + std::to_string(line_number));
    entries.push_back(std::move(*entry));
  }
  return entries;
}

bool scopeHoldsBlock(const TnScope& scope, const PrefixBlock& block) {
  if (scope.kind() == TnScope::Kind::kSpc || scope.value().size() != block.length) return false;
  return scope.value() <= block.first() && block.last() <= scope.last();
}

bool scopeOverlapsBlock(const TnScope& scope, const PrefixBlock& block) {
  if (scope.kind() == TnScope::Kind::kSpc || scope.value().size() != block.length) return false;
  return scope.value() <= block.last() && block.first() <= scope.last();
}

std::optional<std::string> mostSpecificSpc(const std::vector<SpcAssignment>& candidates,
                                           std::string_view tn) {
  const SpcAssignment* best = nullptr;
  for (const auto& candidate : candidates) {
    if (!candidate.scope.holdsNumber(tn)) continue;
    if (!best || candidate.scope.count() < best->scope.count()) best = &candidate;
  }
  if (!best) return std::nullopt;
  return best->spc;
}

}  // namespace keydir
