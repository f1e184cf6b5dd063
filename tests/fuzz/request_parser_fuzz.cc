// HTTP/1.1 requests as the reactor core reads them: any bytes, in any
// pieces, give whole requests or one refusal, never a crash, and nothing
// taken out exceeds the limits.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "directory/http/request_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  keydir::RequestLimits limits;
  limits.max_header_bytes = 2048;
  limits.max_headers = 16;
  limits.max_body_bytes = 1024;
  keydir::RequestParser parser(limits);
  // The first byte picks where the bytes are split, as a network might.
  const std::size_t piece = 1 + data[0] % 64;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  for (std::size_t at = 0; at < bytes.size(); at += piece) {
    parser.feed(bytes.substr(at, piece));
    while (auto request = parser.next()) {
      if (request->body.size() > limits.max_body_bytes) __builtin_trap();
    }
    if (parser.refusal()) break;
    parser.takeContinue();
  }
  return 0;
}
