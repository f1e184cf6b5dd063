// TNAuthList DER (RFC 8226) as a certificate carries it: any bytes decode
// to scopes or an error, and decoded scopes encode to DER that decodes to
// the same scopes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "certs/tn_auth_list.h"
#include "certs/tn_scope.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto scopes =
      keydir::decodeTnAuthList(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!scopes) return 0;
  auto again = keydir::decodeTnAuthList(keydir::encodeTnAuthList(*scopes));
  if (!again || keydir::scopeStrings(*again) != keydir::scopeStrings(*scopes)) __builtin_trap();
  return 0;
}
