#pragma once
// Query parameters the feed's routes share: scope=wide, and whole numbers.

#include <cstdint>
#include <string>

#include "directory/http/http_exchange.h"

namespace keydir {

// false without `scope`, true for scope=wide; kMalformed otherwise.
Result<bool> wideScopeAsked(const Exchange& exchange);
// The parameter as a whole number >= 0, `fallback` when absent; kMalformed
// when it is not one.
Result<std::int64_t> wholeNumberParam(const Exchange& exchange, const std::string& name,
                                      std::optional<std::int64_t> fallback);

}  // namespace keydir
