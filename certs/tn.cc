#include "certs/tn.h"

#include <algorithm>

namespace keydir {

bool isCanonicalTn(std::string_view text) {
  return !text.empty() && text.size() <= kMaxTnDigits &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<std::string> canonicalTn(std::string_view input) {
  std::string digits;
  for (std::size_t i = 0; i < input.size(); ++i) {
    char c = input[i];
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c == '+' && digits.empty() && input.find_first_not_of(" (", 0) == i) {
      continue;  // one leading '+', possibly after an opening parenthesis or space
    } else if (c == '.' || c == '-' || c == ' ' || c == '(' || c == ')') {
      continue;
    } else {
      return fail(ErrorCode::kInvalidTn, "telephone number '" + std::string(input) +
                                             "' contains '" + std::string(1, c) + "' at position " +
                                             std::to_string(i + 1) +
                                             "; only digits, a leading '+' and . - ( ) space are "
                                             "allowed");
    }
  }
  if (digits.empty()) {
    return fail(ErrorCode::kInvalidTn,
                "telephone number '" + std::string(input) + "' has no digits");
  }
  if (digits.size() > kMaxTnDigits) {
    return fail(ErrorCode::kInvalidTn, "telephone number '" + std::string(input) + "' has " +
                                           std::to_string(digits.size()) +
                                           " digits; E.164 allows at most 15");
  }
  return digits;
}

}  // namespace keydir
