#pragma once
// Hexadecimal text for digests (lowercase, "3fa0...") and for protocol code
// points in messages ("0xFE01").

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace keydir {

std::string hexEncode(std::string_view data);
// The bytes of even-length hex text (either case); nullopt for anything else.
std::optional<std::string> hexDecode(std::string_view text);
// "0x" and `digits` uppercase hex digits, e.g. hexCode(0xFE01, 4) == "0xFE01".
std::string hexCode(std::uint32_t value, int digits);

}  // namespace keydir
