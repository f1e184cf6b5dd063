#pragma once
// The bytes of a CPS's entries in memory, kept by the tick they were placed
// in (docs/design.md section 13). Every entry of a tick ages out at once,
// so a tick's entries are copied end to end into blocks of their own and
// the blocks are given back whole when the tick is released: no allocation
// per entry, no heap left in pieces by a live set that turns over every
// minute, and a sweep that drops a tick's blocks rather than its entries.
//
// A tick starts with a small block, so that a quiet CPS holds little; a
// busy tick goes on in blocks of 2 MiB, asked of the kernel as huge pages
// and filled in at once (a store of fresh memory otherwise pays a page
// fault every other entry). Released blocks are reused up to
// `kept_free_bytes`, so that a steady load takes no fresh memory at all.
// Thread-safe.

#include <cstddef>
#include <map>
#include <mutex>
#include <string_view>
#include <vector>

namespace keydir {

class TickArena {
 public:
  static constexpr std::size_t kFirstBlockBytes = std::size_t(64) << 10;
  static constexpr std::size_t kBlockBytes = std::size_t(2) << 20;

  explicit TickArena(std::size_t kept_free_bytes = std::size_t(64) << 20)
      : kept_free_bytes_(kept_free_bytes) {}
  ~TickArena();
  TickArena(const TickArena&) = delete;
  TickArena& operator=(const TickArena&) = delete;

  // `bytes` copied into `tick`'s blocks; the view lives until the tick is
  // released. Throws std::bad_alloc when the kernel has no memory to give.
  std::string_view copy(long long tick, std::string_view bytes);
  // Gives back the blocks of every tick before `first_kept_tick`: no view
  // into them may be used after.
  void releaseBefore(long long first_kept_tick);

  // Bytes of blocks held, in use or kept free.
  std::size_t bytesHeld() const;

 private:
  struct Block {
    char* data = nullptr;
    std::size_t size = 0;
  };
  struct Tick {
    std::vector<Block> blocks;
    std::size_t used = 0;  // of the last block
  };
  Block take(std::size_t at_least, bool first);
  void give(Block block);

  mutable std::mutex mutex_;  // guards what follows
  std::map<long long, Tick> ticks_;
  std::vector<Block> free_;  // of kBlockBytes each
  std::size_t held_bytes_ = 0;
  std::size_t kept_free_bytes_;
};

}  // namespace keydir
