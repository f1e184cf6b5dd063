#pragma once
// The one table from error codes to HTTP statuses, and RFC 9457 problem
// details bodies whose `type` is stable (STYLE rule 5).

#include <nlohmann/json.hpp>

#include "certs/error.h"

namespace keydir {

inline constexpr std::string_view kProblemTypeBase = "https://keydir.example/problems/";

int httpStatusFor(ErrorCode code);
// {"type": ".../<name>", "title": ..., "status": ..., "detail": message}
nlohmann::json problemJson(const Error& error);

}  // namespace keydir
