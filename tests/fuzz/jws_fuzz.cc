// Compact JWS as credentials, advertisements and revocations arrive:
// parsing and reading an x5c chain never crash, whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "certs/jws.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = keydir::parseJws(std::string_view(reinterpret_cast<const char*>(data), size));
  if (parsed) (void)keydir::jwsChain(parsed->header);
  return 0;
}
