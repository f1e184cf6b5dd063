#pragma once
// Time as keydir uses it: whole seconds of UTC. Functions that depend on the
// time take it as a parameter, so tests can move it without sleeping.

#include <openssl/asn1.h>

#include <chrono>
#include <ctime>
#include <string>
#include <string_view>

#include "certs/error.h"

namespace keydir {

using Instant = std::chrono::sys_seconds;

inline Instant nowInstant() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

// Seconds since 1970 without passing through system_clock's nanoseconds,
// which overflow after the year 2262; certificates and records may carry
// later dates, and a hostile one any date ASN.1 or JSON can spell.
inline std::time_t unixTime(Instant instant) { return instant.time_since_epoch().count(); }

Instant fromAsn1Time(const ASN1_TIME* time);
// "2026-11-22T10:00:00Z"
std::string rfc3339(Instant instant);
Result<Instant> parseRfc3339(std::string_view text);
// "7d", "12h", "30m", "45s" or plain seconds.
Result<std::chrono::seconds> parseDuration(std::string_view text);

}  // namespace keydir
