#pragma once
// Just enough strict DER (X.690) to read and write a TNAuthList: definite,
// minimal lengths; trailing bytes are an error, never ignored.

#include <cstdint>
#include <string>
#include <string_view>

#include "certs/base64.h"
#include "certs/error.h"

namespace keydir {

struct DerElement {
  std::uint8_t tag = 0;
  std::string_view content;
};

class DerReader {
 public:
  explicit DerReader(std::string_view input) : rest_(input) {}
  bool atEnd() const { return rest_.empty(); }
  // Reads the next element. kMalformed on truncation, long-form tags or
  // non-minimal lengths; the message says which.
  Result<DerElement> next();
  // Reads the next element and checks its tag; `what` names it in errors.
  Result<DerElement> expect(std::uint8_t tag, std::string_view what);

 private:
  std::string_view rest_;
};

// Content of a DER INTEGER as an unsigned value; kMalformed for negative,
// non-minimal or wider-than-64-bit numbers.
Result<std::uint64_t> derUnsigned(std::string_view content);

namespace der {
inline constexpr std::uint8_t kInteger = 0x02;
inline constexpr std::uint8_t kIa5String = 0x16;
inline constexpr std::uint8_t kSequence = 0x30;
inline constexpr std::uint8_t kContext0 = 0xA0;  // [0] EXPLICIT, constructed

std::string element(std::uint8_t tag, std::string_view content);
std::string unsignedInteger(std::uint64_t value);
}  // namespace der

}  // namespace keydir
