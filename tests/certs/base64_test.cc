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

// Whole groups of four are checked together and the tail apart: a foreign
// character, or a padding sign, is refused at every place it can sit.
TEST(Base64, AForeignCharacterIsRefusedWhereverItSits) {
  std::string bytes;
  for (int i = 0; i < 47; ++i) bytes += char(i * 37 + 11);
  for (std::size_t size = 0; size <= bytes.size(); ++size) {
    const std::string text = base64UrlEncode(std::string_view(bytes).substr(0, size));
    ASSERT_EQ(asStringView(base64UrlDecode(text).value()), bytes.substr(0, size));
    for (std::size_t at = 0; at < text.size(); ++at) {
      for (char foreign : {'+', '/', '=', '\0', '\x80', '\xff'}) {
        std::string altered = text;
        altered[at] = foreign;
        EXPECT_FALSE(base64UrlDecode(altered)) << size << " at " << at;
        EXPECT_FALSE(base64UrlDecodedLength(altered)) << size << " at " << at;
      }
    }
  }
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
