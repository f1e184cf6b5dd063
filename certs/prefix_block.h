#pragma once
// A decimal prefix block: every number of exactly `length` digits that begins
// with `prefix`. Ranges are stored as the blocks that tile them (docs/design.md
// section 10), so that a lookup only asks for the prefixes of one TN.

#include <cstdint>
#include <string>
#include <vector>

namespace keydir {

struct PrefixBlock {
  std::string prefix;
  std::size_t length = 0;  // digits of every number in the block; >= prefix.size()

  bool isSingleNumber() const { return prefix.size() == length; }
  std::string first() const { return prefix + std::string(length - prefix.size(), '0'); }
  std::string last() const { return prefix + std::string(length - prefix.size(), '9'); }
  // How many numbers the block holds: 10^(length - prefix.size()).
  std::uint64_t size() const;
  // The ten blocks one digit longer that tile this one; empty for a single number.
  std::vector<PrefixBlock> children() const;
  // Text form "<prefix>/<length>", e.g. "1202555/11"; used as a storage key.
  std::string key() const { return prefix + "/" + std::to_string(length); }

  bool operator==(const PrefixBlock&) const = default;
};

// The fewest blocks that tile [first, last] exactly. Both ends must be
// canonical TNs of the same length with first <= last.
std::vector<PrefixBlock> tileRange(const std::string& first, const std::string& last);

// Every block that can contain `tn`: its prefixes of length 0..tn.size(), each
// with length tn.size(). A stored block holds tn exactly when it is one of these.
std::vector<PrefixBlock> blocksContaining(const std::string& tn);

}  // namespace keydir
