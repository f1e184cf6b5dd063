#include "certs/instant.h"

#include <gtest/gtest.h>

#include <limits>

#include "certs/certificate_info.h"
#include "certs/certificate_issuer.h"
#include "certs/key_pair.h"

namespace keydir {
namespace {

Instant at(std::int64_t seconds) { return Instant(std::chrono::seconds(seconds)); }

TEST(Rfc3339, WritesAndReadsBackATime) {
  EXPECT_EQ(rfc3339(at(1795435200)), "2026-11-23T12:00:00Z");
  EXPECT_EQ(parseRfc3339("2026-11-23T12:00:00Z").value(), at(1795435200));
}

// The fuzzers found these: system_clock counts nanoseconds, which overflow
// after the year 2262, and a hostile certificate or record may carry any
// date its format can spell.
TEST(Rfc3339, WritesDatesPastTheYear2262) {
  EXPECT_EQ(rfc3339(at(9795493482)), "2280-05-28T18:24:42Z");
  EXPECT_EQ(rfc3339(at(13818333300)), "2407-11-20T09:55:00Z");
  EXPECT_EQ(parseRfc3339("2407-11-20T09:55:00Z").value(), at(13818333300));
}

TEST(Rfc3339, SaysSoWhenNoCalendarYearFits) {
  std::string text = rfc3339(at(std::numeric_limits<std::int64_t>::max()));
  EXPECT_NE(text.find("beyond any calendar year"), std::string::npos) << text;
}

TEST(CertificateTimes, ACertificateValidUntil2407IsIssuedAndDescribed) {
  EvpPkeyPtr key = generateKey(KeyType::kP256);
  CertificateRequest request;
  request.common_name = "Far Future Root";
  request.is_ca = true;
  request.not_before = at(1795435200);
  request.not_after = at(13818333300);
  auto certificate = issueCertificate(request, key.get(), nullptr, key.get());
  ASSERT_TRUE(certificate) << certificate.error().message;
  EXPECT_EQ(fromAsn1Time(X509_get0_notAfter(certificate->get())), at(13818333300));
  EXPECT_EQ(describeCertificate(certificate->get())["not_after"], "2407-11-20T09:55:00Z");
}

TEST(ParseDuration, ReadsEachUnit) {
  EXPECT_EQ(parseDuration("45").value(), std::chrono::seconds(45));
  EXPECT_EQ(parseDuration("30m").value(), std::chrono::minutes(30));
  EXPECT_EQ(parseDuration("12h").value(), std::chrono::hours(12));
  EXPECT_EQ(parseDuration("7d").value(), std::chrono::hours(7 * 24));
}

TEST(ParseDuration, RefusesWhatWouldOverflow) {
  for (const char* text : {"99999999999999999d", "9223372036854775807h", "366001d"}) {
    auto duration = parseDuration(text);
    ASSERT_FALSE(duration) << text;
    EXPECT_NE(duration.error().message.find("longer than 1000 years"), std::string::npos)
        << duration.error().message;
  }
  EXPECT_TRUE(parseDuration("365000d"));
  EXPECT_FALSE(parseDuration("7w"));
  EXPECT_FALSE(parseDuration("-1d"));
}

}  // namespace
}  // namespace keydir
