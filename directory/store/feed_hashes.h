#pragma once
// The arithmetic of the prefetch feed (docs/design.md section 7), shared by the
// directory that writes the feed and every follower that reads it:
// - a record's digest term, SHA-256(kind ":" id); the digest of a set is
//   the XOR of its records' terms, so it follows every put and remove
//   without a scan, and a removal is the same XOR as the put it undoes;
// - buckets: the first `bits` bits of SHA-256 of a TN's ASCII digits;
// - wide and narrow: a scope covering more than `wide_threshold` numbers,
//   and every SPC scope, is wide; a record is wide if any scope is.

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "certs/tn_scope.h"

namespace keydir {

using Digest = std::array<unsigned char, 32>;

Digest digestTerm(std::string_view kind, std::string_view id);
void xorInto(Digest& digest, const Digest& term);
std::string digestHex(const Digest& digest);         // lowercase; 64 zeros when empty
Digest digestFromBytes(std::string_view bytes);      // 32 bytes as stored; zeros otherwise
std::string_view digestBytes(const Digest& digest);  // the 32 bytes to store; valid with it
Digest digestFromHex(std::string_view hex);          // 64 hex digits; zeros otherwise

std::uint32_t bucketOf(std::string_view tn, int bits);
std::string bucketHex(std::uint32_t bucket, int bits);  // exactly bits / 4 digits
// kMalformed unless `hex` is exactly bits / 4 lowercase hex digits.
Result<std::uint32_t> parseBucketHex(std::string_view hex, int bits);

bool isWide(const TnScope& scope, long long wide_threshold);
bool isWide(const std::vector<TnScope>& scopes, long long wide_threshold);
// The buckets of every number of narrow `scopes` (SPC scopes touch none).
std::set<std::uint32_t> bucketsTouched(const std::vector<TnScope>& scopes, int bits);

}  // namespace keydir
