#pragma once
// Base64 (RFC 4648 section 4, padded) for x5c, and base64url (section 5,
// unpadded) for JOSE and key ids, padded for Privacy Pass (RFC 9577).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "certs/error.h"

namespace keydir {

using Bytes = std::vector<std::uint8_t>;

std::string base64Encode(std::string_view data);
std::string base64UrlEncode(std::string_view data);
std::string base64UrlEncodePadded(std::string_view data);
inline std::string base64UrlEncode(const Bytes& data) {
  return base64UrlEncode(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
}
inline std::string base64Encode(const Bytes& data) {
  return base64Encode(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
}

// Strict decoders: kMalformed on characters outside the alphabet, wrong
// padding, or bits left over in the last character.
Result<Bytes> base64Decode(std::string_view text);
Result<Bytes> base64UrlDecode(std::string_view text);
Result<Bytes> base64UrlDecodePadded(std::string_view text);
// What base64UrlDecode would return the length of, checked as strictly,
// without decoding.
Result<std::size_t> base64UrlDecodedLength(std::string_view text);

inline std::string_view asStringView(const Bytes& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}
inline Bytes toBytes(std::string_view text) { return Bytes(text.begin(), text.end()); }

}  // namespace keydir
