#include "cps/passport_board.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

namespace keydir {
namespace {

// An entry's JSON with "tn" first: {"tn":..,"id":..,"jwes":..}.
std::string withNumber(const std::string& tn, const std::string& entry_json) {
  return "{\"tn\":" + nlohmann::json(tn).dump() + "," + entry_json.substr(1);
}

template <class T>
void shuffled(std::vector<T>& items, std::uint64_t seed) {
  std::mt19937_64 draw(seed);
  std::shuffle(items.begin(), items.end(), draw);
}

}  // namespace

PassportBoard::PassportBoard(EntryStore& store, NumberKeys& keys, const DummyMaker& dummies,
                             BoardRules rules, CpsMetrics* metrics)
    : store_(store), keys_(keys), dummies_(dummies), rules_(rules), metrics_(metrics) {}

Instant PassportBoard::expiresAt(long long tick) const {
  return Instant(std::chrono::seconds(tick * rules_.tick_seconds + rules_.max_age_seconds));
}

Result<PassportBoard::Stored> PassportBoard::store(const std::string& tn,
                                                   std::vector<std::string> jwes, Instant now) {
  auto checked = check(std::move(jwes));
  if (!checked) return std::unexpected(checked.error());
  return store(tn, std::move(*checked), now);
}

Result<PassportBoard::CheckedEntry> PassportBoard::check(std::vector<std::string> jwes) const {
  auto length = checkEntryJwes(jwes, rules_.entry);
  if (!length) return std::unexpected(length.error());
  return CheckedEntry{std::move(jwes), *length};
}

Result<PassportBoard::Stored> PassportBoard::store(const std::string& tn, CheckedEntry checked,
                                                   Instant now) {
  const std::vector<std::string>& jwes = checked.jwes;
  const long long tick = tickOf(now);
  Placement placement;
  placement.current_tick = tick;
  placement.last_tick = tickOf(now + std::chrono::seconds(rules_.max_store_wait_seconds));
  placement.first_live_tick = firstLiveTick(tick);
  placement.slots_per_tick = rules_.slots_per_tick;
  placement.max_per_tn = rules_.max_entries_per_tn;
  placement.max_entries = rules_.max_entries;
  StoredEntry entry;
  entry.id = DummyMaker::freshId();
  const std::string id = entry.id;
  entry.json = entryJson(id, jwes);
  auto placed = store_.place(tn, std::move(entry), placement);
  if (!placed) return std::unexpected(placed.error());
  store_.recordLength(checked.length);
  if (metrics_) metrics_->countStore();
  return Stored{id, expiresAt(placed->tick)};
}

Result<std::shared_ptr<const PassportBoard::Shown>> PassportBoard::shownFor(const std::string& tn,
                                                                            long long tick,
                                                                            bool asked_by_number) {
  const long long first_live = firstLiveTick(tick);
  std::map<Slot, MadeEntry> dummies;
  {
    std::lock_guard lock(mutex_);
    if (auto at = held_.find(tn); at != held_.end()) {
      Held& held = at->second;
      recency_.splice(recency_.end(), recency_, held.recency);
      if (asked_by_number) held.asked_tick = std::max(held.asked_tick, tick);
      if (held.shown && held.shown->tick == tick) return held.shown;
      for (const auto& [slot, made] : held.dummies) {
        if (slot.first >= first_live) dummies.emplace(slot, made);
      }
    }
  }
  auto real = store_.show(tn, first_live, tick);
  if (!real) return std::unexpected(real.error());
  std::map<Slot, const StoredEntry*> real_at;
  for (const StoredEntry& entry : *real) real_at[{entry.tick, entry.slot}] = &entry;

  auto shown = std::make_shared<Shown>();
  shown->tick = tick;
  std::optional<std::vector<KeyShape>> shapes;
  std::size_t made = 0;
  for (long long at_tick = first_live; at_tick <= tick; ++at_tick) {
    for (int slot = 0; slot < rules_.slots_per_tick; ++slot) {
      if (auto real_entry = real_at.find({at_tick, slot}); real_entry != real_at.end()) {
        shown->entries.push_back({real_entry->second->id, real_entry->second->json});
        continue;
      }
      auto dummy = dummies.find({at_tick, slot});
      if (dummy == dummies.end()) {
        if (!shapes) {
          auto known = keys_.of(tn, Instant(std::chrono::seconds(tick * rules_.tick_seconds)));
          if (!known) return std::unexpected(known.error());
          shapes = std::move(*known);
        }
        const std::size_t length = dummies_.lengthFor(tn, at_tick, slot, store_.lengthsAt(at_tick));
        auto made_entry = dummies_.make(tn, at_tick, slot, *shapes, length);
        if (!made_entry) return std::unexpected(made_entry.error());
        dummy = dummies
                    .emplace(Slot{at_tick, slot},
                             MadeEntry{made_entry->id, std::move(made_entry->json)})
                    .first;
        ++made;
      }
      shown->entries.push_back(dummy->second);
    }
  }
  shuffled(shown->entries, dummies_.orderSeed(tn, tick));
  shown->answer = "{\"tn\":" + nlohmann::json(tn).dump() + ",\"ppts\":[";
  for (std::size_t index = 0; index < shown->entries.size(); ++index) {
    if (index > 0) shown->answer += ',';
    shown->answer += shown->entries[index].json;
  }
  shown->answer += "]}";
  if (metrics_ && made > 0) metrics_->countDummiesMade(double(made));

  std::lock_guard lock(mutex_);
  auto [at, inserted] = held_.try_emplace(tn);
  Held& held = at->second;
  if (inserted) held.recency = recency_.insert(recency_.end(), tn);
  if (asked_by_number) held.asked_tick = std::max(held.asked_tick, tick);
  // Two requests may make the same tick at once; either result is the same.
  if (held.shown && held.shown->tick >= tick) return held.shown;
  held_bytes_ -= held.bytes;
  held.shown = shown;
  held.dummies = std::move(dummies);
  held.bytes = 2 * shown->answer.size() + 256;
  for (const auto& [slot, dummy] : held.dummies) held.bytes += dummy.json.size() + 64;
  held_bytes_ += held.bytes;
  // The least recently asked numbers go first; this one is the most recent.
  while (held_bytes_ > rules_.dummy_cache_bytes && recency_.front() != tn) {
    auto oldest = held_.find(recency_.front());
    held_bytes_ -= oldest->second.bytes;
    held_.erase(oldest);
    recency_.pop_front();
  }
  return std::shared_ptr<const Shown>(shown);
}

Result<std::shared_ptr<const std::string>> PassportBoard::numberAnswer(const std::string& tn,
                                                                       Instant now) {
  auto shown = shownFor(tn, tickOf(now), true);
  if (!shown) return std::unexpected(shown.error());
  // Shares the held answer: it lives as long as whoever sends it.
  return std::shared_ptr<const std::string>(*shown, &(*shown)->answer);
}

Result<std::string> PassportBoard::entryAnswer(const std::string& tn, const std::string& id,
                                               Instant now) {
  auto shown = shownFor(tn, tickOf(now), true);
  if (!shown) return std::unexpected(shown.error());
  for (const MadeEntry& entry : (*shown)->entries) {
    if (entry.id == id) return withNumber(tn, entry.json);
  }
  return fail(ErrorCode::kNotFound, "no live entry of this number has id " + id.substr(0, 64) +
                                        ": entries are served for " +
                                        std::to_string(rules_.max_age_seconds) + " s");
}

Result<std::string> PassportBoard::prefixAnswer(const std::string& digits, Instant now) {
  if (digits.size() < rules_.min_prefix_digits || digits.size() > 15 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return fail(ErrorCode::kMalformed,
                "a prefix is " + std::to_string(rules_.min_prefix_digits) +
                    " to 15 digits, so that one answer never holds a whole country's calls");
  }
  const long long tick = tickOf(now);
  const long long first_live = firstLiveTick(tick);
  auto with_entries = store_.numbersWithEntries(digits, first_live, rules_.max_prefix_numbers + 1);
  if (!with_entries) return std::unexpected(with_entries.error());
  std::set<std::string> numbers(with_entries->begin(), with_entries->end());
  {
    std::lock_guard lock(mutex_);
    for (auto at = held_.lower_bound(digits); at != held_.end() && at->first.starts_with(digits) &&
                                              numbers.size() <= rules_.max_prefix_numbers;
         ++at) {
      if (at->second.asked_tick >= first_live) numbers.insert(at->first);
    }
  }
  if (numbers.size() > rules_.max_prefix_numbers) {
    return fail(ErrorCode::kPayloadTooLarge,
                "more than " + std::to_string(rules_.max_prefix_numbers) +
                    " numbers starting with " + digits + " hold entries: ask with a longer prefix");
  }
  std::vector<std::string> entries;
  for (const std::string& tn : numbers) {
    auto shown = shownFor(tn, tick, false);
    if (!shown) return std::unexpected(shown.error());
    for (const MadeEntry& entry : (*shown)->entries) entries.push_back(withNumber(tn, entry.json));
  }
  shuffled(entries, dummies_.orderSeed("prefix " + digits, tick));
  std::string answer = "{\"prefix\":" + nlohmann::json(digits).dump() + ",\"ppts\":[";
  for (std::size_t index = 0; index < entries.size(); ++index) {
    if (index > 0) answer += ',';
    answer += entries[index];
  }
  return answer + "]}";
}

std::size_t PassportBoard::sweep(Instant now) {
  const long long tick = tickOf(now);
  const long long first_live = firstLiveTick(tick);
  const std::size_t aged_out = store_.sweep(first_live, tick, now);
  {
    std::lock_guard lock(mutex_);
    for (auto at = held_.begin(); at != held_.end();) {
      const Held& held = at->second;
      // Nothing it holds is live any more, and nobody asked for it lately.
      if (held.asked_tick < first_live && (!held.shown || held.shown->tick < first_live)) {
        held_bytes_ -= held.bytes;
        recency_.erase(held.recency);
        at = held_.erase(at);
      } else {
        ++at;
      }
    }
  }
  if (metrics_) {
    metrics_->countAgedOut(double(aged_out));
    metrics_->setLiveEntries(double(store_.size()));
  }
  return aged_out;
}

}  // namespace keydir
