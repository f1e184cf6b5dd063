#include "advertise/cps_uri.h"

#include <gtest/gtest.h>

#include "tests/support/expect_error.h"

namespace keydir {
namespace {

using testing::expectError;

TEST(CpsUriTest, AcceptsAbsoluteHttpsUris) {
  for (const char* uri : {"https://cps.example.com", "https://cps.example.com/",
                          "HTTPS://cps.example.com:8443/v1/passports?x=1", "https://[2001:db8::1]",
                          "https://[2001:db8::1]:443/cps", "https://192.0.2.7/cps"}) {
    EXPECT_TRUE(checkCpsUri(uri)) << uri;
  }
}

TEST(CpsUriTest, RefusesOtherSchemesAndRelativeUris) {
  expectError(checkCpsUri("http://cps.example.com"), ErrorCode::kMalformed,
              "uses scheme 'http'; a CPS must be reached over https");
  expectError(checkCpsUri("ftp://cps.example.com"), ErrorCode::kMalformed, "scheme 'ftp'");
  expectError(checkCpsUri("cps.example.com/path"), ErrorCode::kMalformed, "not an absolute URI");
  expectError(checkCpsUri("https:cps.example.com"), ErrorCode::kMalformed, "not an absolute URI");
  expectError(checkCpsUri(""), ErrorCode::kMalformed, "not an absolute URI");
}

TEST(CpsUriTest, RefusesUserinfo) {
  expectError(checkCpsUri("https://bank.example@evil.example/cps"), ErrorCode::kMalformed,
              "has userinfo");
  expectError(checkCpsUri("https://user:secret@cps.example.com"), ErrorCode::kMalformed,
              "has userinfo");
  // An @ after the authority is part of the path, not userinfo.
  EXPECT_TRUE(checkCpsUri("https://cps.example.com/by/@acme"));
}

TEST(CpsUriTest, RefusesBrokenAuthorities) {
  expectError(checkCpsUri("https:///cps"), ErrorCode::kMalformed, "has no host");
  expectError(checkCpsUri("https://:443/cps"), ErrorCode::kMalformed, "has no host");
  expectError(checkCpsUri("https://cps.example.com:99999"), ErrorCode::kMalformed, "port");
  expectError(checkCpsUri("https://cps.example.com:"), ErrorCode::kMalformed, "port");
  expectError(checkCpsUri("https://cps.example.com:44x"), ErrorCode::kMalformed, "port");
  expectError(checkCpsUri("https://[2001:db8::1"), ErrorCode::kMalformed, "unclosed IPv6");
}

TEST(CpsUriTest, RefusesSpacesControlsAndFragments) {
  expectError(checkCpsUri("https://cps.example.com/a b"), ErrorCode::kMalformed, "space");
  expectError(checkCpsUri("https://cps.example.com/\n"), ErrorCode::kMalformed, "control");
  expectError(checkCpsUri("https://cps.exämple.com"), ErrorCode::kMalformed, "non-ASCII");
  expectError(checkCpsUri("https://cps.example.com/#top"), ErrorCode::kMalformed, "fragment");
}

TEST(CpsUriTest, RefusesWhatAUriHoldsOnlyPercentEncoded) {
  for (char c : std::string_view("\"<>\\^`{|}")) {
    const std::string uri = std::string("https://cps.example.com/a") + c + "b";
    expectError(checkCpsUri(uri), ErrorCode::kMalformed,
                std::string("holds '") + c + "', which a URI holds only percent-encoded");
  }
  for (const char* uri : {"https://cps.example.com/%", "https://cps.example.com/%4",
                          "https://cps.example.com/%zz/x"}) {
    expectError(checkCpsUri(uri), ErrorCode::kMalformed, "not followed by two hex digits");
  }
  for (const char* uri : {"https://cps.example.com/a%20b%c3%A9", "https://cps.example.com/~a_b-c.d",
                          "https://cps.example.com/p;v=1?q=a+b&r=!$'()*,"}) {
    EXPECT_TRUE(checkCpsUri(uri)) << uri;
  }
}

}  // namespace
}  // namespace keydir
