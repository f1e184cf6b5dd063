// TN and scope strings: every input is a value or an error with a reason,
// and what parses prints back to something that parses to the same scope.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "certs/tn.h"
#include "certs/tn_scope.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto tn = keydir::canonicalTn(text); tn) {
    auto again = keydir::canonicalTn(*tn);
    if (!again || *again != *tn) __builtin_trap();
  }
  if (auto scope = keydir::TnScope::parse(text); scope) {
    auto printed = keydir::scopeStrings({*scope});
    auto reparsed = keydir::parseScopes(printed);
    if (!reparsed || keydir::scopeStrings(*reparsed) != printed) __builtin_trap();
  }
  return 0;
}
