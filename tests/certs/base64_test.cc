#include "certs/base64.h"

#include <gtest/gtest.h>

namespace keydir {
namespace {

TEST(Base64, RoundTripsEveryTailLength) {
  for (std::string text : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe\x00"}) {
    EXPECT_EQ(asStringView(base64Decode(base64Encode(text)).value()), text);
    EXPECT_EQ(asStringView(base64UrlDecode(base64UrlEncode(text)).value()), text);
  }
  EXPECT_EQ(base64Encode(std::string_view("foob")), "Zm9vYg==");
  EXPECT_EQ(base64UrlEncode(std::string_view("\xfb\xff")), "-_8");
}

TEST(Base64, RejectsForeignCharactersPaddingAndStrayBits) {
  EXPECT_EQ(base64UrlDecode("ab+c").error().code, ErrorCode::kMalformed);
  EXPECT_EQ(base64UrlDecode("abc=").error().code, ErrorCode::kMalformed);
  EXPECT_EQ(base64UrlDecode("a").error().code, ErrorCode::kMalformed);
  EXPECT_EQ(base64UrlDecode("-_9").error().code, ErrorCode::kMalformed);  // stray low bits
  EXPECT_EQ(base64Decode("Zm9vYg=").error().code, ErrorCode::kMalformed);
  EXPECT_EQ(base64Decode("Zm9v_g==").error().code, ErrorCode::kMalformed);
}

TEST(Base64, TheLengthAloneIsCheckedAsStrictlyAsADecode) {
  for (std::string text : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe\x00"}) {
    EXPECT_EQ(base64UrlDecodedLength(base64UrlEncode(text)).value(), text.size());
  }
  for (std::string_view bad : {"ab+c", "abc=", "a", "-_9", "ab cd"}) {
    auto length = base64UrlDecodedLength(bad);
    ASSERT_FALSE(length) << bad;
    EXPECT_EQ(length.error().message, base64UrlDecode(bad).error().message) << bad;
  }
}

}  // namespace
}  // namespace keydir
