#pragma once
// The feed's digest of a set of records worked out by hand, independently of
// the store's own bookkeeping: XOR of SHA-256(kind ":" id), in hex
// (docs/design.md section 7).

#include <set>
#include <string>
#include <utility>

#include "certs/hex.h"
#include "certs/pem.h"

namespace keydir::testing {

inline std::string digestByHand(const std::set<std::pair<std::string, std::string>>& records) {
  std::string digest(32, '\0');
  for (const auto& [kind, id] : records) {
    const std::string term = sha256(kind + ":" + id);
    for (std::size_t i = 0; i < 32; ++i) digest[i] = char(digest[i] ^ term[i]);
  }
  return hexEncode(digest);
}

}  // namespace keydir::testing
