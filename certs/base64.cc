#include "certs/base64.h"

#include <array>

namespace keydir {
namespace {

constexpr std::string_view kStandardAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(std::string_view data, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    std::uint32_t n = (std::uint8_t(data[i]) << 16) | (std::uint8_t(data[i + 1]) << 8) |
                      std::uint8_t(data[i + 2]);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  std::size_t rest = data.size() - i;
  if (rest == 1) {
    std::uint32_t n = std::uint8_t(data[i]) << 16;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    std::uint32_t n = (std::uint8_t(data[i]) << 16) | (std::uint8_t(data[i + 1]) << 8);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

using DecodeTable = std::array<std::int8_t, 256>;

constexpr DecodeTable decodeTable(std::string_view alphabet) {
  DecodeTable value{};
  for (auto& entry : value) entry = -1;
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    value[std::uint8_t(alphabet[i])] = std::int8_t(i);
  }
  return value;
}
constexpr DecodeTable kStandardValues = decodeTable(kStandardAlphabet);
constexpr DecodeTable kUrlValues = decodeTable(kUrlAlphabet);

// Checks `text` strictly and, when `out` is given, decodes it there; the
// decoded length either way, so that a caller that only needs to know the
// text is sound (a CPS checking a ciphertext it never opens) pays for no copy.
Result<std::size_t> decodeInto(std::string_view text, const DecodeTable& value, bool padded,
                               std::string_view name, Bytes* out) {
  if (padded) {
    if (text.size() % 4 != 0) {
      return fail(ErrorCode::kMalformed, std::string(name) + " length is not a multiple of 4");
    }
    std::size_t padding = 0;
    while (padding < 2 && !text.empty() && text.back() == '=') {
      text.remove_suffix(1);
      ++padding;
    }
  }
  if (text.size() % 4 == 1) {
    return fail(ErrorCode::kMalformed, std::string(name) + " has an impossible length");
  }
  const std::size_t length = text.size() * 3 / 4;
  std::uint8_t* written = nullptr;
  if (out) {
    out->resize(length);
    written = out->data();
  }
  auto outside = [&] {
    return fail(ErrorCode::kMalformed,
                std::string(name) + " contains a character outside its alphabet");
  };
  // Four characters at a time, one test of their values together: a CPS
  // checks some 2 KB of ciphertext and token this way for every store.
  const auto* in = reinterpret_cast<const std::uint8_t*>(text.data());
  const std::size_t whole = text.size() / 4 * 4;
  for (std::size_t at = 0; at < whole; at += 4) {
    const int a = value[in[at]], b = value[in[at + 1]], c = value[in[at + 2]],
              d = value[in[at + 3]];
    if ((a | b | c | d) < 0) return outside();
    const std::uint32_t n =
        std::uint32_t(a) << 18 | std::uint32_t(b) << 12 | std::uint32_t(c) << 6 | std::uint32_t(d);
    if (written) {
      *written++ = std::uint8_t(n >> 16);
      *written++ = std::uint8_t(n >> 8);
      *written++ = std::uint8_t(n);
    }
  }
  // Two or three characters left: one or two bytes, and bits to spare that
  // must be zero (RFC 4648 section 3.5: one text per byte string).
  if (const std::size_t rest = text.size() - whole; rest > 0) {
    std::uint32_t n = 0;
    for (std::size_t at = whole; at < text.size(); ++at) {
      const int v = value[in[at]];
      if (v < 0) return outside();
      n = n << 6 | std::uint32_t(v);
    }
    const int spare = rest == 2 ? 4 : 2;
    if ((n & ((1u << spare) - 1)) != 0) {
      return fail(ErrorCode::kMalformed,
                  std::string(name) + " has stray bits in its last character");
    }
    n >>= spare;
    if (written && rest == 3) *written++ = std::uint8_t(n >> 8);
    if (written) *written++ = std::uint8_t(n);
  }
  return length;
}

Result<Bytes> decode(std::string_view text, const DecodeTable& value, bool padded,
                     std::string_view name) {
  Bytes out;
  auto decoded = decodeInto(text, value, padded, name, &out);
  if (!decoded) return std::unexpected(decoded.error());
  return out;
}

}  // namespace

std::string base64Encode(std::string_view data) { return encode(data, kStandardAlphabet, true); }
std::string base64UrlEncode(std::string_view data) { return encode(data, kUrlAlphabet, false); }
std::string base64UrlEncodePadded(std::string_view data) {
  return encode(data, kUrlAlphabet, true);
}

Result<Bytes> base64Decode(std::string_view text) {
  return decode(text, kStandardValues, true, "base64");
}
Result<Bytes> base64UrlDecode(std::string_view text) {
  return decode(text, kUrlValues, false, "base64url");
}
Result<Bytes> base64UrlDecodePadded(std::string_view text) {
  return decode(text, kUrlValues, true, "base64url");
}
Result<std::size_t> base64UrlDecodedLength(std::string_view text) {
  return decodeInto(text, kUrlValues, false, "base64url", nullptr);
}

}  // namespace keydir
