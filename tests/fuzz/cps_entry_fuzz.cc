// What a caller sends a CPS as one entry: the body read as JSON or as one
// application/jose JWE, and each JWE's envelope checked. Any bytes end in
// an entry or a refusal, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cps/entry_rules.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  for (std::string_view type : {"application/json", "application/jose"}) {
    auto jwes = keydir::entryJwesFromBody(body, type);
    if (jwes) (void)keydir::checkEntryJwes(*jwes, {});
  }
  return 0;
}
