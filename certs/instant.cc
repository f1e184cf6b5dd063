#include "certs/instant.h"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace keydir {

Instant fromAsn1Time(const ASN1_TIME* time) {
  std::tm parts{};
  ASN1_TIME_to_tm(time, &parts);
  return Instant(std::chrono::seconds(timegm(&parts)));
}

std::string rfc3339(Instant instant) {
  std::time_t seconds = unixTime(instant);
  std::tm parts{};
  if (gmtime_r(&seconds, &parts) == nullptr) {
    // Only a time whose year does not fit an int gets here; say so rather
    // than print whatever the buffer held.
    return "(" + std::to_string(seconds) + " s since 1970, beyond any calendar year)";
  }
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

Result<Instant> parseRfc3339(std::string_view text) {
  std::tm parts{};
  char zone = 0;
  std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &parts.tm_year, &parts.tm_mon,
                  &parts.tm_mday, &parts.tm_hour, &parts.tm_min, &parts.tm_sec, &zone) != 7 ||
      zone != 'Z' || copy.size() != 20) {
    return fail(ErrorCode::kMalformed,
                "time '" + copy + "' is not RFC 3339 UTC like 2026-01-31T12:00:00Z");
  }
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  return Instant(std::chrono::seconds(timegm(&parts)));
}

Result<std::chrono::seconds> parseDuration(std::string_view text) {
  long long amount = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
  std::string_view unit(end, std::size_t(text.data() + text.size() - end));
  long long scale = unit == "" || unit == "s" ? 1
                    : unit == "m"             ? 60
                    : unit == "h"             ? 3600
                    : unit == "d"             ? 86400
                                              : 0;
  if (text.empty() || ec != std::errc() || amount < 0 || scale == 0) {
    return fail(ErrorCode::kMalformed,
                "duration '" + std::string(text) + "' should be a whole number with s, m, h or d");
  }
  // A thousand years is past any validity keydir issues, and keeps "now plus
  // the duration" far from where the seconds would overflow.
  constexpr long long kLongestSeconds = 1000LL * 366 * 86400;
  if (amount > kLongestSeconds / scale) {
    return fail(ErrorCode::kMalformed,
                "duration '" + std::string(text) + "' is longer than 1000 years");
  }
  return std::chrono::seconds(amount * scale);
}

}  // namespace keydir
