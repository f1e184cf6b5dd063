#include "directory/http/problem.h"

#include <algorithm>

namespace keydir {

int httpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidTn:
      return 400;
    case ErrorCode::kMalformed:
      return 400;
    case ErrorCode::kUntrustedChain:
      return 422;
    case ErrorCode::kBadSignature:
      return 422;
    case ErrorCode::kExpired:
      return 422;
    case ErrorCode::kValidityTooLong:
      return 422;
    case ErrorCode::kUnsupportedKey:
      return 422;
    case ErrorCode::kNotAuthorized:
      return 403;
    case ErrorCode::kTooManyKeys:
      return 409;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kGone:
      return 410;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kReadOnly:
      return 405;
  }
  return 500;
}

nlohmann::json problemJson(const Error& error, int status) {
  std::string name(errorTypeName(error.code));
  std::string title = name;
  std::replace(title.begin(), title.end(), '-', ' ');
  return {{"type", std::string(kProblemTypeBase) + name},
          {"title", title},
          {"status", status != 0 ? status : httpStatusFor(error.code)},
          {"detail", error.message}};
}

}  // namespace keydir
