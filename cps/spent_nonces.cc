#include "cps/spent_nonces.h"

#include <cstring>
#include <stdexcept>

namespace keydir {
namespace {

constexpr std::size_t kFirstSlots = 1024;

// A 64-bit finalizer (the one of SplitMix64): every output bit depends on
// every input bit, so nearby nonces land far apart.
std::uint64_t mixed(std::uint64_t value) {
  value ^= value >> 30;
  value *= 0xbf58476d1ce4e5b9ULL;
  value ^= value >> 27;
  value *= 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

}  // namespace

SpentNonces::SpentNonces(std::uint64_t seed) : seed_(seed) {}

std::size_t SpentNonces::home(const Slot& slot) const {
  return mixed(mixed(slot.high ^ seed_) ^ slot.low) & (slots_.size() - 1);
}

void SpentNonces::place(const Slot& slot) {
  const std::size_t mask = slots_.size() - 1;
  std::size_t at = home(slot);
  while (!slots_[at].empty()) at = (at + 1) & mask;
  slots_[at] = slot;
}

void SpentNonces::grow() {
  std::vector<Slot> old(slots_.empty() ? kFirstSlots : slots_.size() * 2);
  old.swap(slots_);
  for (const Slot& slot : old) {
    if (!slot.empty()) place(slot);
  }
}

bool SpentNonces::insert(std::string_view nonce) {
  if (nonce.size() < kBytesKept) {
    throw std::invalid_argument("a spent nonce of " + std::to_string(nonce.size()) +
                                " bytes, fewer than the 16 kept");
  }
  Slot slot;
  std::memcpy(&slot.high, nonce.data(), sizeof slot.high);
  std::memcpy(&slot.low, nonce.data() + sizeof slot.high, sizeof slot.low);
  if (slot.empty()) {
    if (holds_zero_) return false;
    holds_zero_ = true;
    ++size_;
    return true;
  }
  // At most seven slots of eight used, so that a run stays short.
  if ((size_ + 1) * 8 > slots_.size() * 7) grow();
  const std::size_t mask = slots_.size() - 1;
  std::size_t at = home(slot);
  for (; !slots_[at].empty(); at = (at + 1) & mask) {
    if (slots_[at].high == slot.high && slots_[at].low == slot.low) return false;
  }
  slots_[at] = slot;
  ++size_;
  return true;
}

}  // namespace keydir
