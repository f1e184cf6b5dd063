#pragma once
// Telephone numbers as keydir stores them: E.164 digits without '+', 1 to 15
// digits (docs/design.md section 2).

#include <string>
#include <string_view>

#include "certs/error.h"

namespace keydir {

inline constexpr std::size_t kMaxTnDigits = 15;

// Canonical TN from what a person typed: a leading '+' and the separators
// '.', '-', ' ', '(' and ')' are dropped. Anything else, no digits at all, or
// more than 15 digits is kInvalidTn, naming the offending character.
Result<std::string> canonicalTn(std::string_view input);

// True for 1 to 15 ASCII digits and nothing else.
bool isCanonicalTn(std::string_view text);

}  // namespace keydir
