#include "certs/prefix_block.h"

namespace keydir {
namespace {

std::uint64_t powerOfTen(std::size_t exponent) {
  std::uint64_t value = 1;
  for (std::size_t i = 0; i < exponent; ++i) value *= 10;
  return value;
}

std::string padded(std::uint64_t value, std::size_t length) {
  std::string digits = std::to_string(value);
  return std::string(length - digits.size(), '0') + digits;
}

}  // namespace

std::uint64_t PrefixBlock::size() const { return powerOfTen(length - prefix.size()); }

std::vector<PrefixBlock> PrefixBlock::children() const {
  std::vector<PrefixBlock> result;
  if (isSingleNumber()) return result;
  result.reserve(10);
  for (char digit = '0'; digit <= '9'; ++digit) result.push_back({prefix + digit, length});
  return result;
}

std::vector<PrefixBlock> tileRange(const std::string& first, const std::string& last) {
  const std::size_t length = first.size();
  std::uint64_t next = std::stoull(first);
  const std::uint64_t end = std::stoull(last);
  std::vector<PrefixBlock> blocks;
  while (next <= end) {
    // Grow the block while `next` stays aligned to it and it stays inside the range.
    std::size_t free_digits = 0;
    while (free_digits < length) {
      std::uint64_t span = powerOfTen(free_digits + 1);
      if (next % span != 0 || next + span - 1 > end) break;
      ++free_digits;
    }
    std::string digits = padded(next, length);
    blocks.push_back({digits.substr(0, length - free_digits), length});
    std::uint64_t step = powerOfTen(free_digits);
    if (end - next < step) break;  // the range ends at the top of the numbering space
    next += step;
  }
  return blocks;
}

std::vector<PrefixBlock> blocksContaining(const std::string& tn) {
  std::vector<PrefixBlock> blocks;
  blocks.reserve(tn.size() + 1);
  for (std::size_t n = 0; n <= tn.size(); ++n) blocks.push_back({tn.substr(0, n), tn.size()});
  return blocks;
}

}  // namespace keydir
