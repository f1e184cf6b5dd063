// CPS advertisement payloads (draft-ietf-stir-servprovider-oob section 4):
// any JSON text is a list of entries or an error; accepted entries pass
// the URI rules.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "advertise/advertisement.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  keydir::AdvertisementLimits limits;
  auto entries = keydir::parseAdvertisementPayload(
      std::string_view(reinterpret_cast<const char*>(data), size), limits);
  if (entries) (void)keydir::checkCpsEntries(*entries, limits);
  return 0;
}
