#include "certs/der.h"

#include "certs/hex.h"

namespace keydir {
namespace {

std::string hexTag(std::uint8_t tag) { return hexCode(tag, 2); }

}  // namespace

Result<DerElement> DerReader::next() {
  if (rest_.size() < 2) {
    return fail(ErrorCode::kMalformed, "DER is truncated: an element header needs 2 bytes, " +
                                           std::to_string(rest_.size()) + " left");
  }
  std::uint8_t tag = std::uint8_t(rest_[0]);
  if ((tag & 0x1F) == 0x1F) {
    return fail(ErrorCode::kMalformed, "DER tag " + hexTag(tag) + " uses the long form");
  }
  std::uint8_t first = std::uint8_t(rest_[1]);
  std::size_t header = 2;
  std::size_t length = 0;
  if (first < 0x80) {
    length = first;
  } else {
    std::size_t octets = first & 0x7F;
    if (octets == 0) return fail(ErrorCode::kMalformed, "DER forbids indefinite lengths");
    if (octets > 4) return fail(ErrorCode::kMalformed, "DER length is too large");
    if (rest_.size() < 2 + octets) {
      return fail(ErrorCode::kMalformed, "DER is truncated inside a length");
    }
    for (std::size_t i = 0; i < octets; ++i) length = (length << 8) | std::uint8_t(rest_[2 + i]);
    if (length < 0x80 || std::uint8_t(rest_[2]) == 0) {
      return fail(ErrorCode::kMalformed, "DER length is not in its shortest form");
    }
    header += octets;
  }
  if (rest_.size() - header < length) {
    return fail(ErrorCode::kMalformed, "DER is truncated: element " + hexTag(tag) + " claims " +
                                           std::to_string(length) + " bytes, " +
                                           std::to_string(rest_.size() - header) + " remain");
  }
  DerElement element{tag, rest_.substr(header, length)};
  rest_.remove_prefix(header + length);
  return element;
}

Result<DerElement> DerReader::expect(std::uint8_t tag, std::string_view what) {
  auto element = next();
  if (!element) return failWithContext(element.error(), what);
  if (element->tag != tag) {
    return fail(ErrorCode::kMalformed, std::string(what) + ": expected tag " + hexTag(tag) +
                                           ", found " + hexTag(element->tag));
  }
  return element;
}

Result<std::uint64_t> derUnsigned(std::string_view content) {
  if (content.empty()) return fail(ErrorCode::kMalformed, "INTEGER has no content");
  if (std::uint8_t(content[0]) & 0x80) return fail(ErrorCode::kMalformed, "INTEGER is negative");
  if (content.size() > 1 && content[0] == 0 && !(std::uint8_t(content[1]) & 0x80)) {
    return fail(ErrorCode::kMalformed, "INTEGER is not in its shortest form");
  }
  std::string_view magnitude = content[0] == 0 ? content.substr(1) : content;
  if (magnitude.size() > 8) return fail(ErrorCode::kMalformed, "INTEGER is wider than 64 bits");
  std::uint64_t value = 0;
  for (char byte : magnitude) value = (value << 8) | std::uint8_t(byte);
  return value;
}

namespace der {

std::string element(std::uint8_t tag, std::string_view content) {
  std::string out(1, char(tag));
  std::size_t length = content.size();
  if (length < 0x80) {
    out += char(length);
  } else {
    std::string octets;
    for (std::size_t n = length; n > 0; n >>= 8) octets.insert(octets.begin(), char(n & 0xFF));
    out += char(0x80 | octets.size());
    out += octets;
  }
  out += content;
  return out;
}

std::string unsignedInteger(std::uint64_t value) {
  std::string content;
  do {
    content.insert(content.begin(), char(value & 0xFF));
    value >>= 8;
  } while (value > 0);
  if (std::uint8_t(content[0]) & 0x80) content.insert(content.begin(), '\0');
  return element(kInteger, content);
}

}  // namespace der
}  // namespace keydir
