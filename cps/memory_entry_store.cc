#include "cps/memory_entry_store.h"

#include <algorithm>
#include <random>

namespace keydir {
namespace {

std::uint64_t freshSeed() {
  std::random_device device;
  return (std::uint64_t(device()) << 32) | device();
}

}  // namespace

MemoryEntryStore::MemoryEntryStore(std::size_t lengths_kept)
    : lengths_kept_(lengths_kept), nonce_seed_(freshSeed()) {}

std::size_t MemoryEntryStore::dropOld(Number& number, long long first_live_tick) {
  std::size_t dropped = 0;
  while (!number.entries.empty() && number.entries.begin()->first.first < first_live_tick) {
    number.entries.erase(number.entries.begin());
    ++dropped;
  }
  entries_ -= dropped;
  return dropped;
}

std::size_t MemoryEntryStore::settle(Shard& shard, const std::string& tn, long long first_live_tick,
                                     long long current_tick) {
  auto at = shard.numbers.find(tn);
  if (at == shard.numbers.end()) return 0;
  const std::size_t dropped = dropOld(at->second, first_live_tick);
  // A mark of a tick before the current one cannot stop any store (one
  // more is kept for a store that read the clock just before the tick
  // turned), and numbers polled once would otherwise be kept for a whole
  // window.
  if (at->second.entries.empty() && at->second.shown_tick < current_tick - 1) {
    shard.numbers.erase(at);
  }
  return dropped;
}

Result<SlotTaken> MemoryEntryStore::place(const std::string& tn, StoredEntry entry,
                                          const Placement& placement) {
  Shard& shard = shardOf(tn);
  std::lock_guard lock(shard.mutex);
  Number& number = shard.numbers[tn];
  dropOld(number, placement.first_live_tick);
  // A refused store leaves nothing behind, not even the number.
  auto refuse = [&](std::string why) -> Result<SlotTaken> {
    settle(shard, tn, placement.first_live_tick, placement.current_tick);
    return fail(ErrorCode::kRateLimited, std::move(why));
  };
  if (number.entries.size() >= placement.max_per_tn) {
    return refuse("this number holds " + std::to_string(number.entries.size()) +
                  " entries, its limit (max_entries_per_tn)");
  }
  // Shards count together: past the limit by at most one store a shard.
  if (const std::size_t held = entries_; held >= placement.max_entries) {
    return refuse("the CPS holds " + std::to_string(held) + " entries, its limit (max_entries)");
  }
  // A tick somebody has seen stays as it was seen.
  const long long first =
      number.shown_tick >= placement.current_tick ? number.shown_tick + 1 : placement.current_tick;
  for (long long tick = first; tick <= placement.last_tick; ++tick) {
    for (int slot = 0; slot < placement.slots_per_tick; ++slot) {
      if (number.entries.contains({tick, slot})) continue;
      number.entries.emplace(std::pair{tick, slot},
                             Placed{arena_.copy(tick, entry.id), arena_.copy(tick, entry.json)});
      ++entries_;
      shard.entry_due[tick].push_back(tn);
      return SlotTaken{tick, slot};
    }
  }
  return refuse(
      "this number's slots are taken until its wait limit (max_store_wait_seconds): "
      "too many stores for one number");
}

Result<std::vector<StoredEntry>> MemoryEntryStore::show(const std::string& tn, long long from_tick,
                                                        long long shown_tick) {
  Shard& shard = shardOf(tn);
  std::lock_guard lock(shard.mutex);
  Number& number = shard.numbers[tn];
  if (shown_tick > number.shown_tick) {
    number.shown_tick = shown_tick;
    shard.mark_due[shown_tick].push_back(tn);
  }
  std::vector<StoredEntry> live;
  for (auto at = number.entries.lower_bound({from_tick, 0});
       at != number.entries.end() && at->first.first <= shown_tick; ++at) {
    live.push_back(StoredEntry{std::string(at->second.id), at->first.first, at->first.second,
                               std::string(at->second.json)});
  }
  return live;
}

Result<std::vector<std::string>> MemoryEntryStore::numbersWithEntries(std::string_view prefix,
                                                                      long long from_tick,
                                                                      std::size_t limit) {
  std::vector<std::string> found;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    std::size_t taken = 0;
    for (auto at = shard.numbers.lower_bound(prefix);
         at != shard.numbers.end() && at->first.starts_with(prefix) && taken < limit; ++at) {
      const auto& entries = at->second.entries;
      if (!entries.empty() && entries.rbegin()->first.first >= from_tick) {
        found.push_back(at->first);
        ++taken;
      }
    }
  }
  std::sort(found.begin(), found.end());
  if (found.size() > limit) found.resize(limit);
  return found;
}

std::size_t MemoryEntryStore::sweep(long long first_live_tick, long long current_tick,
                                    Instant now) {
  std::size_t dropped = 0;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    auto visit = [&](std::map<long long, std::vector<std::string>>& due, long long before) {
      while (!due.empty() && due.begin()->first < before) {
        for (const std::string& tn : due.begin()->second) {
          dropped += settle(shard, tn, first_live_tick, current_tick);
        }
        due.erase(due.begin());
      }
    };
    visit(shard.entry_due, first_live_tick);
    visit(shard.mark_due, current_tick - 1);
  }
  // Every shard has dropped its entries of these ticks just now.
  arena_.releaseBefore(first_live_tick);
  {
    std::lock_guard lock(tokens_mutex_);
    while (!spent_tokens_.empty() && spent_tokens_.begin()->first.first <= now) {
      spent_tokens_.erase(spent_tokens_.begin());
    }
  }
  std::lock_guard lock(mutex_);
  lengths_by_tick_.erase(lengths_by_tick_.begin(), lengths_by_tick_.lower_bound(first_live_tick));
  while (!expiring_.empty() && expiring_.begin()->first <= now) {
    // Found first and erased by position: the name is the element's own.
    for (const auto& [kind, name] : expiring_.begin()->second) {
      if (kind == Expiring::kSpent) spent_.erase(spent_.find(*name));
      if (kind == Expiring::kCount) counts_.erase(counts_.find(*name));
      if (kind == Expiring::kKept) kept_.erase(kept_.find(*name));
      if (kind == Expiring::kPublished) {
        auto pair = published_.find(*name);
        std::erase_if(pair->second.passports,
                      [now](const auto& kept) { return kept.second <= now; });
        if (--pair->second.due == 0) published_.erase(pair);
      }
    }
    expiring_.erase(expiring_.begin());
  }
  return dropped;
}

void MemoryEntryStore::expireAt(Instant when, Expiring kind, const std::string* name) {
  expiring_[when].emplace_back(kind, name);
}

std::size_t MemoryEntryStore::size() { return entries_; }

void MemoryEntryStore::recordLength(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  lengths_.push_back(bytes);
  if (lengths_.size() > lengths_kept_) lengths_.pop_front();
}

std::vector<std::size_t> MemoryEntryStore::lengthsAt(long long tick) {
  std::lock_guard lock(mutex_);
  return lengths_by_tick_.try_emplace(tick, lengths_.begin(), lengths_.end()).first->second;
}

Result<bool> MemoryEntryStore::spendOnce(const std::string& name, Instant expires) {
  std::lock_guard lock(mutex_);
  auto [at, fresh] = spent_.insert(name);
  if (!fresh) return false;
  expireAt(expires, Expiring::kSpent, &*at);
  return true;
}

Result<bool> MemoryEntryStore::spendKeptNonce(std::string_view key_id, std::string_view kept,
                                              Instant until) {
  std::lock_guard lock(tokens_mutex_);
  auto at = spent_tokens_.try_emplace(std::pair(until, std::string(key_id)), nonce_seed_).first;
  return at->second.insert(kept);
}

Result<std::size_t> MemoryEntryStore::tokensSpent(std::string_view key_id, Instant until) {
  std::lock_guard lock(tokens_mutex_);
  auto at = spent_tokens_.find(std::pair(until, std::string(key_id)));
  return at == spent_tokens_.end() ? 0 : at->second.size();
}

Result<std::size_t> MemoryEntryStore::countInWindow(const std::string& name, Instant window_end) {
  std::lock_guard lock(mutex_);
  auto [at, fresh] = counts_.try_emplace(name, 0);
  if (fresh) expireAt(window_end, Expiring::kCount, &at->first);
  return ++at->second;
}

Result<std::string> MemoryEntryStore::keepFirst(const std::string& name,
                                                const std::function<std::string()>& make,
                                                Instant expires) {
  std::lock_guard lock(mutex_);
  auto at = kept_.find(name);
  if (at == kept_.end() && !make) return fail(ErrorCode::kNotFound, name + " is not kept");
  if (at == kept_.end()) {
    at = kept_.emplace(name, make()).first;
    expireAt(expires, Expiring::kKept, &at->first);
  }
  return at->second;
}

Result<void> MemoryEntryStore::publish(const std::string& pair,
                                       const std::vector<std::string>& passports, Instant expires,
                                       std::size_t max_per_pair) {
  std::lock_guard lock(mutex_);
  auto at = published_.find(pair);
  const std::size_t held = at == published_.end() ? 0 : at->second.passports.size();
  if (held + passports.size() > max_per_pair) {
    return fail(ErrorCode::kRateLimited, "this pair of numbers holds " + std::to_string(held) +
                                             " passports, its limit (max_entries_per_tn)");
  }
  if (passports.empty()) return {};
  if (at == published_.end()) at = published_.try_emplace(pair).first;
  for (const std::string& passport : passports) {
    at->second.passports.emplace_back(passport, expires);
  }
  ++at->second.due;
  expireAt(expires, Expiring::kPublished, &at->first);
  return {};
}

Result<std::vector<std::string>> MemoryEntryStore::published(const std::string& pair, Instant now) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> live;
  if (auto at = published_.find(pair); at != published_.end()) {
    for (const auto& [passport, expires] : at->second.passports) {
      if (expires > now) live.push_back(passport);
    }
  }
  return live;
}

}  // namespace keydir
