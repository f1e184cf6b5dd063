// A bucket answer as a cache in buckets mode reads it from a directory
// that may lie (docs/design.md section 8): readBucketAnswer, the same code
// BucketHolder keeps answers with, for a bucket picked by the input's
// first two bytes among 16 bits' worth. Whatever arrives is refused or
// taken, never a crash; a record taken is narrow and touches the bucket,
// which readBucketAnswer promises and this checks from the outside.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "directory/bucket_answer.h"
#include "directory/store/feed_hashes.h"
#include "tests/fuzz/fuzz_pki.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static keydir::fuzz::FuzzPki pki;
  if (size < 2) return 0;
  const keydir::BucketShape shape{std::uint32_t(data[0]) << 8 | data[1], 16, 1000};
  std::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);
  auto answer = keydir::readBucketAnswer(text, shape, *pki.trust, pki.clock.now(), pki.spc_map);
  if (!answer) return 0;
  for (const auto& key : answer->keys) {
    if (keydir::isWide(key.scopes, shape.wide_threshold) ||
        !keydir::bucketsTouched(key.scopes, shape.bits).contains(shape.bucket)) {
      __builtin_trap();
    }
  }
  for (const auto& spc : answer->spc) {
    if (!keydir::bucketsTouched({spc.entry.scope}, shape.bits).contains(shape.bucket))
      __builtin_trap();
  }
  return 0;
}
