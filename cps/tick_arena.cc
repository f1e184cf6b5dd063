#include "cps/tick_arena.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>

namespace keydir {
namespace {

constexpr std::size_t kPageBytes = 4096;

std::size_t roundedToPages(std::size_t bytes) {
  return (bytes + kPageBytes - 1) / kPageBytes * kPageBytes;
}

// `size` bytes of fresh anonymous memory aligned to `alignment` (a power
// of two, a multiple of the page), so that a 2 MiB block can be one huge
// page: mapped with room to spare and trimmed.
char* mapAligned(std::size_t size, std::size_t alignment) {
  const std::size_t mapped = size + alignment - kPageBytes;
  void* at = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (at == MAP_FAILED) throw std::bad_alloc();
  char* start = static_cast<char*>(at);
  char* aligned = reinterpret_cast<char*>(
      (reinterpret_cast<std::uintptr_t>(start) + alignment - 1) & ~(alignment - 1));
  if (aligned > start) munmap(start, std::size_t(aligned - start));
  if (char* end = start + mapped; end > aligned + size) {
    munmap(aligned + size, std::size_t(end - (aligned + size)));
  }
  return aligned;
}

}  // namespace

TickArena::~TickArena() {
  for (auto& [tick, held] : ticks_) {
    for (const Block& block : held.blocks) munmap(block.data, block.size);
  }
  for (const Block& block : free_) munmap(block.data, block.size);
}

TickArena::Block TickArena::take(std::size_t at_least, bool first) {
  if (!first && at_least <= kBlockBytes) {
    if (!free_.empty()) {
      Block block = free_.back();
      free_.pop_back();
      return block;
    }
    Block block{mapAligned(kBlockBytes, kBlockBytes), kBlockBytes};
    // Best effort: without them the block works the same, a page at a time.
    madvise(block.data, block.size, MADV_HUGEPAGE);
#ifdef MADV_POPULATE_WRITE
    madvise(block.data, block.size, MADV_POPULATE_WRITE);
#endif
    held_bytes_ += block.size;
    return block;
  }
  const std::size_t size = roundedToPages(std::max(at_least, kFirstBlockBytes));
  Block block{mapAligned(size, kPageBytes), size};
  held_bytes_ += block.size;
  return block;
}

void TickArena::give(Block block) {
  if (block.size == kBlockBytes && (free_.size() + 1) * kBlockBytes <= kept_free_bytes_) {
    free_.push_back(block);
    return;
  }
  munmap(block.data, block.size);
  held_bytes_ -= block.size;
}

std::string_view TickArena::copy(long long tick, std::string_view bytes) {
  std::lock_guard lock(mutex_);
  Tick& held = ticks_[tick];
  if (held.blocks.empty() || held.blocks.back().size - held.used < bytes.size()) {
    held.blocks.push_back(take(bytes.size(), held.blocks.empty()));
    held.used = 0;
  }
  char* at = held.blocks.back().data + held.used;
  if (!bytes.empty()) std::memcpy(at, bytes.data(), bytes.size());
  held.used += bytes.size();
  return {at, bytes.size()};
}

void TickArena::releaseBefore(long long first_kept_tick) {
  std::lock_guard lock(mutex_);
  while (!ticks_.empty() && ticks_.begin()->first < first_kept_tick) {
    for (const Block& block : ticks_.begin()->second.blocks) give(block);
    ticks_.erase(ticks_.begin());
  }
}

std::size_t TickArena::bytesHeld() const {
  std::lock_guard lock(mutex_);
  return held_bytes_;
}

}  // namespace keydir
