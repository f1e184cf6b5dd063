#include "certs/error.h"

namespace keydir {

std::string_view errorTypeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidTn:
      return "invalid-tn";
    case ErrorCode::kMalformed:
      return "malformed";
    case ErrorCode::kUntrustedChain:
      return "untrusted-chain";
    case ErrorCode::kBadSignature:
      return "bad-signature";
    case ErrorCode::kExpired:
      return "expired";
    case ErrorCode::kValidityTooLong:
      return "validity-too-long";
    case ErrorCode::kUnsupportedKey:
      return "unsupported-key";
    case ErrorCode::kNotAuthorized:
      return "not-authorized";
    case ErrorCode::kTooManyKeys:
      return "too-many-keys";
    case ErrorCode::kNotFound:
      return "not-found";
    case ErrorCode::kPayloadTooLarge:
      return "payload-too-large";
    case ErrorCode::kRateLimited:
      return "rate-limited";
    case ErrorCode::kGone:
      return "gone";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kReadOnly:
      return "read-only";
  }
  return "unavailable";
}

}  // namespace keydir
