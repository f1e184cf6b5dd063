#include "directory/store/feed_hashes.h"

#include <algorithm>
#include <charconv>

#include "certs/hex.h"
#include "certs/pem.h"

namespace keydir {

Digest digestTerm(std::string_view kind, std::string_view id) {
  std::string text;
  text.reserve(kind.size() + 1 + id.size());
  text.append(kind).append(":").append(id);
  std::string hash = sha256(text);
  Digest term{};
  std::copy(hash.begin(), hash.begin() + term.size(), term.begin());
  return term;
}

void xorInto(Digest& digest, const Digest& term) {
  for (std::size_t i = 0; i < digest.size(); ++i) digest[i] ^= term[i];
}

std::string_view digestBytes(const Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

std::string digestHex(const Digest& digest) { return hexEncode(digestBytes(digest)); }

Digest digestFromBytes(std::string_view bytes) {
  Digest digest{};
  if (bytes.size() == digest.size()) std::copy(bytes.begin(), bytes.end(), digest.begin());
  return digest;
}

Digest digestFromHex(std::string_view hex) {
  Digest digest{};
  if (hex.size() != 2 * digest.size()) return digest;
  for (std::size_t i = 0; i < digest.size(); ++i) {
    std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, digest[i], 16);
  }
  return digest;
}

std::uint32_t bucketOf(std::string_view tn, int bits) {
  std::string hash = sha256(tn);
  std::uint32_t first = (std::uint32_t(static_cast<unsigned char>(hash[0])) << 24) |
                        (std::uint32_t(static_cast<unsigned char>(hash[1])) << 16) |
                        (std::uint32_t(static_cast<unsigned char>(hash[2])) << 8) |
                        std::uint32_t(static_cast<unsigned char>(hash[3]));
  return bits >= 32 ? first : first >> (32 - bits);
}

std::string bucketHex(std::uint32_t bucket, int bits) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(std::size_t(bits / 4), '0');
  for (std::size_t i = hex.size(); i-- > 0;) {
    hex[i] = kDigits[bucket & 0xf];
    bucket >>= 4;
  }
  return hex;
}

Result<std::uint32_t> parseBucketHex(std::string_view hex, int bits) {
  std::size_t wanted = std::size_t(bits / 4);
  bool lowercase_hex = std::all_of(hex.begin(), hex.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  if (hex.size() != wanted || !lowercase_hex) {
    return fail(ErrorCode::kMalformed, "a bucket is exactly " + std::to_string(wanted) +
                                           " lowercase hex digits (bucket_bits " +
                                           std::to_string(bits) + ")");
  }
  std::uint32_t bucket = 0;
  std::from_chars(hex.data(), hex.data() + hex.size(), bucket, 16);
  return bucket;
}

bool isWide(const TnScope& scope, long long wide_threshold) {
  return scope.kind() == TnScope::Kind::kSpc ||
         scope.count() > static_cast<std::uint64_t>(wide_threshold);
}

bool isWide(const std::vector<TnScope>& scopes, long long wide_threshold) {
  return std::any_of(scopes.begin(), scopes.end(),
                     [&](const TnScope& scope) { return isWide(scope, wide_threshold); });
}

std::set<std::uint32_t> bucketsTouched(const std::vector<TnScope>& scopes, int bits) {
  std::set<std::uint32_t> buckets;
  for (const TnScope& scope : scopes) {
    if (scope.kind() == TnScope::Kind::kSpc) continue;
    const std::string& first = scope.value();
    std::uint64_t start = 0;
    std::from_chars(first.data(), first.data() + first.size(), start);
    std::string tn(first.size(), '0');
    for (std::uint64_t i = 0; i < scope.count(); ++i) {
      std::uint64_t number = start + i;
      for (std::size_t d = tn.size(); d-- > 0;) {
        tn[d] = char('0' + number % 10);
        number /= 10;
      }
      buckets.insert(bucketOf(tn, bits));
    }
  }
  return buckets;
}

}  // namespace keydir
