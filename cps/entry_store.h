#pragma once
// What a CPS keeps (docs/design.md section 13), so that several CPS processes can
// share it: the entries callers stored, the passports carriers published
// through the industry interface, and what may be spent only once. Of the
// entries it keeps
// where each sits in time, so that entries appear only at ticks, and which
// ticks of a number were already shown, so that a stored entry never
// appears in a tick somebody has already seen. Dummies are not kept here:
// they are made again from a secret (dummy_maker.h). One engine in memory,
// one on Redis for several CPS processes; both keep these promises.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "certs/error.h"
#include "certs/hex.h"
#include "certs/instant.h"

namespace keydir {

// A caller's entry (one JWE per key of the callee) in the slot of a tick,
// kept as it is served: {"id":..,"jwes":[..]} (entryJson in
// entry_rules.h), one string, made once.
struct StoredEntry {
  std::string id;
  long long tick = 0;
  int slot = 0;
  std::string json;
};

// Where place() put an entry.
struct SlotTaken {
  long long tick = 0;
  int slot = 0;
};

// Where a store may go: from `current_tick` (unless it was shown already)
// up to `last_tick`, `slots_per_tick` entries a tick, and at most
// `max_per_tn` entries of one number and `max_entries` in all from
// `first_live_tick` on.
struct Placement {
  long long current_tick = 0;
  long long last_tick = 0;
  long long first_live_tick = 0;
  int slots_per_tick = 1;
  std::size_t max_per_tn = 1000;
  std::size_t max_entries = 1000000;
};

class EntryStore {
 public:
  virtual ~EntryStore() = default;

  // Puts `entry` (its id and JWEs) into the first free slot `placement`
  // allows, and says which. kRateLimited when the number's slots up to
  // last_tick are taken or a limit is reached; kUnavailable when the
  // engine does not answer. Nothing is kept on failure.
  virtual Result<SlotTaken> place(const std::string& tn, StoredEntry entry,
                                  const Placement& placement) = 0;

  // Marks `shown_tick` of `tn` as shown, so that no later store goes into
  // it, and returns the number's entries of ticks from `from_tick` to
  // `shown_tick`. Atomic with place(): a store either is among what this
  // returns or lands in a later tick.
  virtual Result<std::vector<StoredEntry>> show(const std::string& tn, long long from_tick,
                                                long long shown_tick) = 0;

  // Numbers starting with `prefix` that hold entries from `from_tick` on,
  // in order, at most `limit` (one more tells the caller there are more).
  virtual Result<std::vector<std::string>> numbersWithEntries(std::string_view prefix,
                                                              long long from_tick,
                                                              std::size_t limit) = 0;

  // Forgets entries of ticks before `first_live_tick`, marks of ticks
  // shown before `current_tick` (they can stop no store), and what expired
  // by `now`; how many entries it forgot.
  virtual std::size_t sweep(long long first_live_tick, long long current_tick, Instant now) = 0;
  // Entries kept now.
  virtual std::size_t size() = 0;
  // True when the engine answers.
  virtual bool ping() = 0;

  // The ciphertext lengths of what was stored lately, so that dummies are
  // as long as real entries. lengthsAt() gives the lengths as they were
  // when `tick` was first asked about, the same to every process that
  // shares the store, so that a dummy is made alike by each.
  virtual void recordLength(std::size_t bytes) = 0;
  virtual std::vector<std::size_t> lengthsAt(long long tick) = 0;

  // The secret dummies are made from: the one kept, or `fresh` kept now
  // when there is none, so that every process makes the same dummies.
  virtual Result<std::string> sharedSecret(const std::string& fresh) = 0;

  // True the first time `name` is spent; false every time after, until
  // `expires`, when it may be forgotten. For JWT ids and token nonces.
  // kUnavailable when the engine does not answer.
  virtual Result<bool> spendOnce(const std::string& name, Instant expires) = 0;

  // True the first time the storage token of `key_id` with `nonce` is
  // spent; false every time after, until `until` (the key's last day of
  // redemption), when the key's spent nonces may be forgotten together.
  // kUnavailable when the engine does not answer.
  //
  // They are kept for up to token_key_days and its grace, so they are most
  // of what a busy CPS holds: an engine keeps the first
  // kTokenNonceBytesKept bytes of each nonce in one set per key. Enough,
  // because a nonce is chosen at random by its client (RFC 9578 section
  // 6.1) and is spent only after its token's signature verified: two
  // nonces alike in those bytes are taken for one, and the second refused,
  // by chance one in 2^128 a pair, and on purpose only with another
  // holder's nonce before it was spent, which the CPS never shows. A
  // token is never taken twice. A nonce shorter than that (the token's
  // format fixes 32 bytes) is a name spent once.
  static constexpr std::size_t kTokenNonceBytesKept = 16;
  Result<bool> spendToken(std::string_view key_id, std::string_view nonce, Instant until) {
    if (nonce.size() < kTokenNonceBytesKept) {
      return spendOnce("token " + hexEncode(key_id.substr(0, 8)) + hexEncode(nonce), until);
    }
    return spendKeptNonce(key_id, nonce.substr(0, kTokenNonceBytesKept), until);
  }
  // How many tokens of `key_id` (last day `until`) are held as spent, for
  // /metrics: those of nonces of kTokenNonceBytesKept bytes or more.
  virtual Result<std::size_t> tokensSpent(std::string_view key_id, Instant until) = 0;

  // Counts one more event under `name`, a window that ends at
  // `window_end` (the name tells the window), and gives the count so far:
  // stores per number per minute, tokens per certificate per hour.
  virtual Result<std::size_t> countInWindow(const std::string& name, Instant window_end) = 0;

  // The value kept under `name`; when there is none, `make()`'s, kept until
  // `expires`, or kNotFound when `make` is empty. The first process to ask
  // decides for every process sharing the store: each storage-token key is
  // made once.
  virtual Result<std::string> keepFirst(const std::string& name,
                                        const std::function<std::string()>& make,
                                        Instant expires) = 0;

  // The industry interface: `passports` published for `pair` (dest and
  // orig), each kept until `expires`; kRateLimited past `max_per_pair`
  // live ones. published() gives the live ones, oldest first.
  virtual Result<void> publish(const std::string& pair, const std::vector<std::string>& passports,
                               Instant expires, std::size_t max_per_pair) = 0;
  virtual Result<std::vector<std::string>> published(const std::string& pair, Instant now) = 0;

 protected:
  // spendToken() for a nonce's first kTokenNonceBytesKept bytes, `kept`:
  // into the set of `key_id`, forgotten together on `until`.
  virtual Result<bool> spendKeptNonce(std::string_view key_id, std::string_view kept,
                                      Instant until) = 0;
};

}  // namespace keydir
