// The feed as a cache reads it from a directory that may lie: a changes
// page, then each change's record verified against a trust store the
// input cannot have signed for. Every input is refused or taken, never a
// crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "directory/feed_format.h"
#include "directory/feed_records.h"
#include "tests/fuzz/fuzz_pki.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static keydir::fuzz::FuzzPki anchors;
  const keydir::Instant now = anchors.clock.now();
  auto verify = [&](const std::string& kind, const std::string& id, const nlohmann::json& body) {
    if (kind == "key")
      (void)keydir::verifiedFeedKey(id, body, *anchors.trust, now, anchors.spc_map);
    if (kind == "ad") (void)keydir::verifiedFeedAd(id, body, *anchors.trust, now, anchors.spc_map);
    if (kind == "spc") (void)keydir::parsedFeedSpcEntry(id, body);
  };
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto page = keydir::parseChangePage(text); page) {
    for (const auto& change : page->changes) {
      if (change.op == "put") verify(change.kind, change.id, change.body);
    }
    return 0;
  }
  // Otherwise the bytes as one record of each kind, as a snapshot line or a
  // bucket answer carries it.
  auto record = nlohmann::json::parse(text, nullptr, false);
  if (record.is_discarded()) return 0;
  for (const char* kind : {"key", "ad", "spc"}) verify(kind, "id", record);
  return 0;
}
