#include "directory/server/feed_query.h"

#include <charconv>

namespace keydir {

Result<bool> wideScopeAsked(const Exchange& exchange) {
  auto scope = exchange.query("scope");
  if (!scope) return false;
  if (*scope == "wide") return true;
  return fail(ErrorCode::kMalformed,
              "scope is 'wide' or absent, not '" + scope->substr(0, 20) + "'");
}

Result<std::int64_t> wholeNumberParam(const Exchange& exchange, const std::string& name,
                                      std::optional<std::int64_t> fallback) {
  auto text = exchange.query(name);
  if (!text) {
    if (fallback) return *fallback;
    return fail(ErrorCode::kMalformed, name + " is required");
  }
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || ec != std::errc() || end != text->data() + text->size() || value < 0) {
    return fail(ErrorCode::kMalformed,
                name + " must be a whole number, not '" + text->substr(0, 20) + "'");
  }
  return value;
}

}  // namespace keydir
