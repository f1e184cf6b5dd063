#pragma once
// The one table from error codes to HTTP statuses, and RFC 9457 problem
// details bodies whose `type` is stable (STYLE rule 5).

#include <nlohmann/json.hpp>

#include "certs/error.h"

namespace keydir {

inline constexpr std::string_view kProblemTypeBase = "https://keydir.example/problems/";

int httpStatusFor(ErrorCode code);
// {"type": ".../<name>", "title": ..., "status": ..., "detail": message},
// with the code's own status unless `status` is given (a 431 is a
// payload-too-large problem, a 408 a malformed one).
nlohmann::json problemJson(const Error& error, int status = 0);

}  // namespace keydir
