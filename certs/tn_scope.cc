#include "certs/tn_scope.h"

#include <algorithm>
#include <charconv>

#include "certs/tn.h"

namespace keydir {
namespace {

constexpr std::size_t kMaxSpcLength = 32;

bool isAlphanumeric(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  });
}

Result<std::uint64_t> parseCount(std::string_view text) {
  std::uint64_t count = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return fail(ErrorCode::kMalformed,
                "range count '" + std::string(text) + "' is not a decimal number");
  }
  return count;
}

}  // namespace

Result<TnScope> TnScope::spc(std::string_view code) {
  if (code.empty() || code.size() > kMaxSpcLength || !isAlphanumeric(code)) {
    return fail(ErrorCode::kMalformed, "service provider code '" + std::string(code) +
                                           "' must be 1 to 32 letters or digits");
  }
  return TnScope(Kind::kSpc, std::string(code), 0);
}

Result<TnScope> TnScope::number(std::string_view tn) {
  if (!isCanonicalTn(tn)) {
    return fail(ErrorCode::kMalformed,
                "telephone number '" + std::string(tn) + "' must be 1 to 15 digits");
  }
  return TnScope(Kind::kNumber, std::string(tn), 1);
}

Result<TnScope> TnScope::range(std::string_view start, std::uint64_t count) {
  if (!isCanonicalTn(start)) {
    return fail(ErrorCode::kMalformed,
                "range start '" + std::string(start) + "' must be 1 to 15 digits");
  }
  if (count < 2) {
    return fail(ErrorCode::kMalformed, "range count " + std::to_string(count) +
                                           " is below 2 (RFC 8226); use a 2- entry for one number");
  }
  std::uint64_t first = std::stoull(std::string(start));
  std::uint64_t limit = 1;
  for (std::size_t i = 0; i < start.size(); ++i) limit *= 10;
  if (count > limit - first) {
    return fail(ErrorCode::kMalformed, "range " + std::string(start) + " + " +
                                           std::to_string(count) + " leaves its " +
                                           std::to_string(start.size()) + "-digit length");
  }
  return TnScope(Kind::kRange, std::string(start), count);
}

Result<TnScope> TnScope::parse(std::string_view text) {
  auto malformed = [&](std::string why) {
    return fail(ErrorCode::kMalformed, "scope '" + std::string(text) + "': " + why);
  };
  if (text.size() < 3 || text[1] != '-') {
    return malformed("expected 0-<SPC>, 1-<start>-<count> or 2-<TN>");
  }
  std::string_view rest = text.substr(2);
  Result<TnScope> scope = malformed("unknown kind '" + std::string(1, text[0]) +
                                    "'; expected 0 (SPC), 1 (range) or 2 (number)");
  switch (text[0]) {
    case '0':
      scope = spc(rest);
      break;
    case '2':
      scope = number(rest);
      break;
    case '1': {
      std::size_t dash = rest.find('-');
      if (dash == std::string_view::npos) return malformed("a range needs <start>-<count>");
      auto count = parseCount(rest.substr(dash + 1));
      if (!count) return malformed(count.error().message);
      scope = range(rest.substr(0, dash), *count);
      break;
    }
    default:
      return scope;
  }
  if (!scope) return malformed(scope.error().message);
  return scope;
}

std::string TnScope::last() const {
  if (kind_ == Kind::kSpc) return {};
  std::string digits = std::to_string(std::stoull(value_) + count_ - 1);
  return std::string(value_.size() - digits.size(), '0') + digits;
}

std::string TnScope::toString() const {
  switch (kind_) {
    case Kind::kSpc:
      return "0-" + value_;
    case Kind::kRange:
      return "1-" + value_ + "-" + std::to_string(count_);
    case Kind::kNumber:
      return "2-" + value_;
  }
  return {};
}

bool TnScope::holdsNumber(std::string_view tn) const {
  if (kind_ == Kind::kSpc || tn.size() != value_.size()) return false;
  // Same length, digits only: string order is numeric order.
  return value_ <= tn && tn <= last();
}

std::vector<PrefixBlock> TnScope::prefixBlocks() const {
  if (kind_ == Kind::kSpc) return {};
  return tileRange(value_, last());
}

Result<std::vector<TnScope>> parseScopes(const std::vector<std::string>& texts) {
  std::vector<TnScope> scopes;
  scopes.reserve(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    auto scope = TnScope::parse(texts[i]);
    if (!scope) return failWithContext(scope.error(), "entry " + std::to_string(i + 1));
    scopes.push_back(std::move(*scope));
  }
  return scopes;
}

std::vector<std::string> scopeStrings(const std::vector<TnScope>& scopes) {
  std::vector<std::string> texts;
  texts.reserve(scopes.size());
  for (const auto& scope : scopes) texts.push_back(scope.toString());
  return texts;
}

bool moreSpecific(const TnScope& a, const TnScope& b) {
  auto rank = [](const TnScope& s) {
    return s.kind() == TnScope::Kind::kNumber ? 0 : s.kind() == TnScope::Kind::kRange ? 1 : 2;
  };
  if (rank(a) != rank(b)) return rank(a) < rank(b);
  if (a.count() != b.count()) return a.count() < b.count();
  return a.toString() < b.toString();
}

}  // namespace keydir
