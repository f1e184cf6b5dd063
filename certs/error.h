#pragma once
// Expected failures as values. The codes are the stable problem types of the
// directory API (docs/design.md section 6); every layer above reuses them, so one
// table in the server turns them into HTTP statuses.

#include <expected>
#include <string>
#include <string_view>

namespace keydir {

enum class ErrorCode {
  kInvalidTn,
  kMalformed,
  kUntrustedChain,
  kBadSignature,
  kExpired,
  kValidityTooLong,
  kUnsupportedKey,
  kNotAuthorized,
  kTooManyKeys,
  kNotFound,
  kPayloadTooLarge,
  kRateLimited,
  kGone,
  kUnavailable,
  kReadOnly,  // a write sent to a cache
};

// The stable, hyphenated name of a code, e.g. "invalid-tn".
std::string_view errorTypeName(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;  // what was wrong and why, for the caller to act on
};

template <class T>
using Result = std::expected<T, Error>;

// Shorthand for `return fail(ErrorCode::kMalformed, "...")` in functions that
// return Result<T> for any T.
inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
  return std::unexpected<Error>(Error{code, std::move(message)});
}

// Prefixes the message of a failed result with context, keeping the code.
inline std::unexpected<Error> failWithContext(const Error& error, std::string_view context) {
  return fail(error.code, std::string(context) + ": " + error.message);
}

}  // namespace keydir
