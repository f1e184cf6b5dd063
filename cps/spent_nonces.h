#pragma once
// The nonces of one storage-token key spent so far, held in memory (docs/design.md
// section 14). They are kept until the key's last day of redemption, up to
// token_key_days and its grace, so the set grows with every store for a
// week: a string and a hash node for each (some 190 bytes) made a CPS at
// a hundred stores a second hold over 10 GB by the key's end. This holds
// the first 16 bytes of each nonce (why that is enough: spendToken in
// entry_store.h) in one open-addressed table instead, some 18-37 bytes a
// nonce, and is dropped whole with its key.
//
// Slots are placed by a hash keyed with `seed`, so that a client choosing
// its nonces cannot crowd them into one run of the table. Not thread-safe.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "cps/entry_store.h"

namespace keydir {

class SpentNonces {
 public:
  static constexpr std::size_t kBytesKept = EntryStore::kTokenNonceBytesKept;

  explicit SpentNonces(std::uint64_t seed);

  // True when `nonce` (at least kBytesKept bytes) was not held and now is;
  // false when it was. Throws std::bad_alloc when the table cannot grow.
  bool insert(std::string_view nonce);

  std::size_t size() const { return size_; }
  // Bytes of the table, held whether its slots are used or not.
  std::size_t bytesHeld() const { return slots_.size() * sizeof(Slot); }

 private:
  struct Slot {
    std::uint64_t high = 0;
    std::uint64_t low = 0;
    bool empty() const { return high == 0 && low == 0; }
  };
  std::size_t home(const Slot& slot) const;
  // Puts `slot` (not held, not empty) in the first free place of its run.
  void place(const Slot& slot);
  void grow();

  std::uint64_t seed_;
  std::vector<Slot> slots_;  // a power of two of them
  std::size_t size_ = 0;
  // The all-zero nonce prefix marks a free slot, so it is held apart.
  bool holds_zero_ = false;
};

}  // namespace keydir
