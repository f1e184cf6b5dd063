#include "cache/decoys.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>

namespace keydir {
namespace {

void putBigEndian(std::uint32_t value, unsigned char* out) {
  for (int i = 3; i >= 0; --i, value >>= 8) out[i] = static_cast<unsigned char>(value & 0xff);
}

}  // namespace

std::vector<std::uint32_t> decoyBuckets(std::string_view secret, std::uint32_t bucket,
                                        std::size_t count, int bits) {
  const std::uint64_t buckets = std::uint64_t(1) << bits;
  count = std::min<std::uint64_t>(count, buckets - 1);
  std::vector<std::uint32_t> decoys;
  for (std::uint32_t i = 0; decoys.size() < count; ++i) {
    std::array<unsigned char, 8> message;
    putBigEndian(bucket, message.data());
    putBigEndian(i, message.data() + 4);
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac;
    unsigned int mac_length = 0;
    HMAC(EVP_sha256(), secret.data(), int(secret.size()), message.data(), message.size(),
         mac.data(), &mac_length);
    std::uint32_t drawn = (std::uint32_t(mac[0]) << 24 | std::uint32_t(mac[1]) << 16 |
                           std::uint32_t(mac[2]) << 8 | std::uint32_t(mac[3])) %
                          std::uint32_t(buckets);
    if (drawn != bucket && std::find(decoys.begin(), decoys.end(), drawn) == decoys.end()) {
      decoys.push_back(drawn);
    }
  }
  return decoys;
}

}  // namespace keydir
