#pragma once
// The private interface's rules (docs/design.md section 13, RFC 8816 sections 6.2
// and 7.5) on top of an EntryStore: where a caller's entry goes, and what
// anyone asking for a number is shown.
//
// Time is cut into ticks. Each tick adds `slots_per_tick` entries to every
// number, and an entry lives for the ticks of max_age_seconds, so a number
// always shows the same count. A caller's entry takes a slot of the current
// tick if nobody has yet been shown that tick of the number, else the
// first free slot after; every slot no caller took holds a dummy, made
// from the secret (dummy_maker.h) and kept until it ages out. Counts,
// arrivals, ids, sizes, kids and what persists between polls are then the
// same whether a call was stored or not. A number asked for the first
// time shows a full window, as if it had been asked for all along.
//
// What a number shows in one tick is made once and kept, dummies and all,
// within `dummy_cache_bytes` (least recently asked numbers go first and
// are made again, the same, when asked). Thread-safe.

#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "certs/instant.h"
#include "cps/cps_metrics.h"
#include "cps/dummy_maker.h"
#include "cps/entry_rules.h"
#include "cps/entry_store.h"
#include "cps/number_keys.h"

namespace keydir {

struct BoardRules {
  long long tick_seconds = 2;
  long long max_age_seconds = 60;  // a multiple of tick_seconds
  int slots_per_tick = 1;
  long long max_store_wait_seconds = 10;
  EntryLimits entry;
  std::size_t max_entries_per_tn = 1000;
  std::size_t max_entries = 1000000;
  std::size_t min_prefix_digits = 7;
  std::size_t max_prefix_numbers = 200;
  std::size_t dummy_cache_bytes = std::size_t(64) << 20;

  long long windowTicks() const { return max_age_seconds / tick_seconds; }
};

class PassportBoard {
 public:
  // Every reference must outlive the board; `metrics` may be null.
  PassportBoard(EntryStore& store, NumberKeys& keys, const DummyMaker& dummies, BoardRules rules,
                CpsMetrics* metrics = nullptr);

  struct Stored {
    std::string id;
    Instant expires;
  };
  // Checks and places one caller's entry for `tn` (canonical). kMalformed
  // for what entry_rules.h refuses; kRateLimited past a limit or when the
  // number's slots are taken; kUnavailable when the store does not answer.
  Result<Stored> store(const std::string& tn, std::vector<std::string> jwes, Instant now);
  // The same in two steps, so that a store route can refuse a bad entry
  // before it spends the storer's token.
  struct CheckedEntry {
    std::vector<std::string> jwes;
    std::size_t length = 0;  // the first JWE's ciphertext, for dummies
  };
  Result<CheckedEntry> check(std::vector<std::string> jwes) const;
  Result<Stored> store(const std::string& tn, CheckedEntry entry, Instant now);

  // {"tn", "ppts": [{"id", "jwes"}, ..]}: every live entry of `tn`, real or
  // dummy, in an order drawn afresh each tick. kUnavailable when the store
  // or the directory naming the number's keys does not answer.
  Result<std::shared_ptr<const std::string>> numberAnswer(const std::string& tn, Instant now);
  // {"tn", "id", "jwes"} of one live entry; kNotFound when none has the id.
  Result<std::string> entryAnswer(const std::string& tn, const std::string& id, Instant now);
  // {"prefix", "ppts": [{"tn", "id", "jwes"}, ..]}: every live entry of
  // every number starting with `digits` that holds a caller's entry or was
  // asked for lately. kMalformed for a prefix shorter than
  // min_prefix_digits; kPayloadTooLarge past max_prefix_numbers numbers.
  Result<std::string> prefixAnswer(const std::string& digits, Instant now);

  // Forgets what aged out; returns how many callers' entries.
  std::size_t sweep(Instant now);
  // When an entry placed in `tick` stops being served.
  Instant expiresAt(long long tick) const;
  long long tickOf(Instant now) const { return unixTime(now) / rules_.tick_seconds; }
  const BoardRules& rules() const { return rules_; }

 private:
  using Slot = std::pair<long long, int>;
  struct MadeEntry {
    std::string id;
    std::string json;  // {"id","jwes"}
  };
  // What a number shows in one tick.
  struct Shown {
    long long tick = 0;
    std::vector<MadeEntry> entries;  // in answer order
    std::string answer;
  };
  struct Held {
    std::shared_ptr<const Shown> shown;
    std::map<Slot, MadeEntry> dummies;
    long long asked_tick = -1;  // the last tick it was asked for by number
    std::list<std::string>::iterator recency;
    std::size_t bytes = 0;
  };

  long long firstLiveTick(long long tick) const { return tick - rules_.windowTicks() + 1; }
  // What `tn` shows in `tick`, made now if it was not yet.
  Result<std::shared_ptr<const Shown>> shownFor(const std::string& tn, long long tick,
                                                bool asked_by_number);
  void keep(const std::string& tn, std::shared_ptr<const Shown> shown,
            std::map<Slot, MadeEntry> dummies);

  EntryStore& store_;
  NumberKeys& keys_;
  const DummyMaker& dummies_;
  BoardRules rules_;
  CpsMetrics* metrics_;

  std::mutex mutex_;  // guards what follows
  std::map<std::string, Held, std::less<>> held_;
  std::list<std::string> recency_;  // least recently asked first
  std::size_t held_bytes_ = 0;
};

}  // namespace keydir
