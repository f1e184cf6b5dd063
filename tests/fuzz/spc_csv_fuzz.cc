// The SPC map CSV an operator imports: any text is a map or an error that
// names its line.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "certs/spc_map.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  auto map = keydir::parseSpcMapCsv(in);
  if (!map && map.error().message.empty()) __builtin_trap();
  return 0;
}
