#include "cps/spent_nonces.h"

#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

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

std::size_t SpentNonces::home(const Slot& slot, const Table& table) const {
  return mixed(mixed(slot.high ^ seed_) ^ slot.low) & (table.size - 1);
}

bool SpentNonces::holds(const Table& table, const Slot& slot) const {
  if (table.size == 0) return false;
  const std::size_t mask = table.size - 1;
  for (std::size_t at = home(slot, table); !table.slots[at].empty(); at = (at + 1) & mask) {
    if (table.slots[at] == slot) return true;
  }
  return false;
}

void SpentNonces::place(const Slot& slot) {
  const std::size_t mask = slots_.size - 1;
  std::size_t at = home(slot, slots_);
  while (!slots_.slots[at].empty()) at = (at + 1) & mask;
  slots_.slots[at] = slot;
}

void SpentNonces::moveSome(std::size_t count) {
  // A slot stays in the smaller table after its copy is made, so that
  // every run there is whole until the table is let go.
  for (; count > 0 && moved_ < moving_.size; --count, ++moved_) {
    if (!moving_.slots[moved_].empty()) place(moving_.slots[moved_]);
  }
  if (moving_.size != 0 && moved_ == moving_.size) moving_ = Table{};
}

void SpentNonces::grow() {
  moveSome(moving_.size);  // a move not yet done (it cannot be, but stay whole)
  Table larger;
  larger.size = slots_.size == 0 ? kFirstSlots : slots_.size * 2;
  // calloc takes a large block as fresh zero pages from the kernel, so
  // that none is touched until a nonce lands in it.
  larger.slots.reset(static_cast<Slot*>(std::calloc(larger.size, sizeof(Slot))));
  if (!larger.slots) throw std::bad_alloc();
  moving_ = std::move(slots_);
  slots_ = std::move(larger);
  moved_ = 0;
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
  moveSome(kMovedAnInsert);
  if (holds(slots_, slot) || holds(moving_, slot)) return false;
  // At most seven slots of eight used, so that a run stays short.
  if ((size_ + 1) * 8 > slots_.size * 7) grow();
  place(slot);
  ++size_;
  return true;
}

}  // namespace keydir
