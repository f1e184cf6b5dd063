#pragma once
// The CPS's entries in this process's memory: the default, for one CPS
// process. Nothing outlives max_age_seconds, so a restart loses at most
// that. Thread-safe: numbers are spread over shards by a hash, each with
// its own lock, so that stores on different event threads seldom wait.

#include <array>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "cps/entry_store.h"
#include "cps/spent_nonces.h"
#include "cps/tick_arena.h"

namespace keydir {

class MemoryEntryStore : public EntryStore {
 public:
  explicit MemoryEntryStore(std::size_t lengths_kept = 64);

  Result<SlotTaken> place(const std::string& tn, StoredEntry entry,
                          const Placement& placement) override;
  Result<std::vector<StoredEntry>> show(const std::string& tn, long long from_tick,
                                        long long shown_tick) override;
  Result<std::vector<std::string>> numbersWithEntries(std::string_view prefix, long long from_tick,
                                                      std::size_t limit) override;
  std::size_t sweep(long long first_live_tick, long long current_tick, Instant now) override;
  std::size_t size() override;
  bool ping() override { return true; }
  void recordLength(std::size_t bytes) override;
  std::vector<std::size_t> lengthsAt(long long tick) override;
  Result<std::string> sharedSecret(const std::string& fresh) override { return fresh; }
  Result<bool> spendOnce(const std::string& name, Instant expires) override;
  Result<std::size_t> tokensSpent(std::string_view key_id, Instant until) override;
  Result<std::size_t> countInWindow(const std::string& name, Instant window_end) override;
  Result<std::string> keepFirst(const std::string& name, const std::function<std::string()>& make,
                                Instant expires) override;
  Result<void> publish(const std::string& pair, const std::vector<std::string>& passports,
                       Instant expires, std::size_t max_per_pair) override;
  Result<std::vector<std::string>> published(const std::string& pair, Instant now) override;

 protected:
  Result<bool> spendKeptNonce(std::string_view key_id, std::string_view kept,
                              Instant until) override;

 private:
  // An entry's id and JSON, in the arena's blocks of its tick.
  struct Placed {
    std::string_view id;
    std::string_view json;
  };
  struct Number {
    std::map<std::pair<long long, int>, Placed> entries;  // by tick and slot
    long long shown_tick = -1;
  };
  struct Shard {
    std::mutex mutex;
    std::map<std::string, Number, std::less<>> numbers;  // in order, for prefixes
    // Numbers to look at again, so that a sweep visits what may have aged
    // out rather than every number held: by the tick of an entry placed
    // (looked at once the window has passed it), and by a tick shown
    // (looked at once that mark can stop no store).
    std::map<long long, std::vector<std::string>> entry_due, mark_due;
  };
  static constexpr std::size_t kShards = 16;
  Shard& shardOf(std::string_view tn) {
    return shards_[std::hash<std::string_view>{}(tn) % kShards];
  }
  // Drops `number`'s entries before `first_live_tick`; how many.
  std::size_t dropOld(Number& number, long long first_live_tick);
  // What a sweep or a refused store does with a number it looked at: its
  // old entries dropped, and itself forgotten once it holds nothing and
  // its mark can stop no store. How many entries it dropped.
  std::size_t settle(Shard& shard, const std::string& tn, long long first_live_tick,
                     long long current_tick);

  // What expires by time rather than by tick, in order of expiry.
  enum class Expiring { kSpent, kCount, kKept, kPublished };
  void expireAt(Instant when, Expiring kind, const std::string* name);

  TickArena arena_;
  std::array<Shard, kShards> shards_;
  std::atomic<std::size_t> entries_ = 0;

  std::mutex mutex_;  // guards what follows
  std::deque<std::size_t> lengths_;
  std::map<long long, std::vector<std::size_t>> lengths_by_tick_;
  std::unordered_set<std::string> spent_;
  std::unordered_map<std::string, std::size_t> counts_;
  std::map<std::string, std::string> kept_;
  // By instant: most share one (a minute's end, an hour's), so a
  // new name is appended to a list rather than given a node of its own.
  // The list points at the name where it is kept (elements of these
  // containers stay put as they grow) rather than holding a copy of it.
  std::map<Instant, std::vector<std::pair<Expiring, const std::string*>>> expiring_;
  // A pair's passports, and how many instants in expiring_ still name the
  // pair: it is forgotten when the last has come, which is when its last
  // passport expires. So a sweep visits the pairs with something due
  // rather than every pair held (at 15,000 publishes a second and a
  // minute's retention, a million pairs every tick, under the lock every
  // token spend takes).
  struct Published {
    std::vector<std::pair<std::string, Instant>> passports;
    std::size_t due = 0;
  };
  std::unordered_map<std::string, Published> published_;
  std::size_t lengths_kept_;

  // Each storage-token key's spent nonces, by the key's last day of
  // redemption and its id: dropped whole on that day. A lock of their own,
  // as every store spends one.
  std::mutex tokens_mutex_;
  std::map<std::pair<Instant, std::string>, SpentNonces> spent_tokens_;
  const std::uint64_t nonce_seed_;
};

}  // namespace keydir
