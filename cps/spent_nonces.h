#pragma once
// The nonces of one storage-token key spent so far, held in memory (docs/design.md
// section 14). They are kept until the key's last day of redemption, up to
// token_key_days and its grace, so the set grows with every store for a
// week: a string and a hash node for each (some 190 bytes) made a CPS at
// a hundred stores a second hold over 10 GB by the key's end. This holds
// the first 16 bytes of each nonce (why that is enough: spendToken in
// entry_store.h) in one open-addressed table instead, some 18-37 bytes a
// nonce (up to 55 while it moves to a larger table), and is dropped whole
// with its key.
//
// Slots are placed by a hash keyed with `seed`, so that a client choosing
// its nonces cannot crowd them into one run of the table.
//
// The table grows by moving to one twice its size a few slots at each
// insert, not all at once: at 58 million nonces (a busy week) a move at
// once held every store for 5 s, and the hash set of names before this
// one for 17.7 s at 50 million. The larger table is taken from the
// kernel as zero pages, touched only as they are filled, and the smaller
// is left as it was until the move is done, so that its runs still find
// what has not yet moved. Not thread-safe.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "cps/entry_store.h"

namespace keydir {

class SpentNonces {
 public:
  static constexpr std::size_t kBytesKept = EntryStore::kTokenNonceBytesKept;
  // Slots moved to the larger table at each insert while it grows: the
  // move is done long before the larger one is itself seven eighths full.
  static constexpr std::size_t kMovedAnInsert = 8;

  explicit SpentNonces(std::uint64_t seed);

  // True when `nonce` (at least kBytesKept bytes) was not held and now is;
  // false when it was. Throws std::bad_alloc when the table cannot grow.
  bool insert(std::string_view nonce);

  std::size_t size() const { return size_; }
  // Bytes of the tables, held whether their slots are used or not: two
  // while one moves into the other.
  std::size_t bytesHeld() const { return (slots_.size + moving_.size) * sizeof(Slot); }

 private:
  struct Slot {
    std::uint64_t high = 0;
    std::uint64_t low = 0;
    bool empty() const { return high == 0 && low == 0; }
    bool operator==(const Slot&) const = default;
  };
  // Tables come from calloc (see grow()).
  struct FreeSlots {
    void operator()(Slot* slots) const { std::free(slots); }
  };
  struct Table {
    std::unique_ptr<Slot[], FreeSlots> slots;
    std::size_t size = 0;  // a power of two, or 0
  };
  std::size_t home(const Slot& slot, const Table& table) const;
  // Whether `slot` is in `table`.
  bool holds(const Table& table, const Slot& slot) const;
  // Puts `slot` (not held, not empty) in the first free place of its run.
  void place(const Slot& slot);
  void grow();
  void moveSome(std::size_t count);

  std::uint64_t seed_;
  Table slots_;
  Table moving_;           // the smaller table while its slots move; empty after
  std::size_t moved_ = 0;  // slots of moving_ already looked at
  std::size_t size_ = 0;
  // The all-zero nonce prefix marks a free slot, so it is held apart.
  bool holds_zero_ = false;
};

}  // namespace keydir
