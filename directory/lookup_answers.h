#pragma once
// Finished answers of GET /v1/tns/{tn}/keys, kept in memory by canonical TN
// (issue 12), so that a lookup whose answer is held skips SQLite.
//
// No answer is served stale. Before each use, catchUp() reads the feed's
// last change number (one small row); when it has moved, the changes since
// are read and every held answer they may touch is dropped: the numbers of
// each key put or removed, or everything for an SPC-map change or a key
// with an SPC scope. Every write to the live set is such a change, made in
// the write's own transaction by whichever process wrote (the server, an
// import, `keydir withdraw`), so the very next lookup sees it. An answer
// also lapses when its first key expires, before the expiry sweep says so.
// An answer computed before a change that has since been applied is not
// kept, since it may predate that change.
//
// A cache's replica is written by the cache alone (its feed, its buckets,
// a fresh snapshot swapped in), so there the read of the feed's last change
// is skipped while this process has committed nothing since the last one
// (Writers::kThisProcessOnly; commitsInThisProcess() in store/sqlite.h).
//
// What is held is bounded twice: the answers' bytes by the size of their
// file (AnswerFile, read through a memory map, so they are the kernel's
// page cache rather than this process's memory), and their index in
// memory by `budget_bytes`. Past either, a new answer takes the place of
// answers not asked for lately (CLOCK: each use marks its answer, and a
// hand sweeping the index drops the first unmarked ones it meets, clearing
// marks as it passes), so that what is held follows what is asked for
// rather than what came first. Once either is spent, an answer is admitted
// only if its number was asked for before (a filter of one bit per hash,
// cleared now and then): lookups spread evenly over a directory far larger
// than the budget would otherwise swap one answer for another on every
// lookup, at a cost and for no hits. Thread-safe.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "directory/answer_file.h"
#include "directory/cps_answers.h"
#include "directory/key_registry.h"
#include "directory/store/key_store.h"

namespace keydir {

class Metrics;

class LookupAnswers {
 public:
  struct Answer {
    std::string body;  // the whole JSON answer
    std::string etag;
    std::optional<Instant> earliest_expiry;  // of its keys; none when it has none
  };

  // Who writes the store: any process (a directory's file, which
  // `keydir import` and `keydir withdraw` write too), or this one only.
  enum class Writers { kAnyProcess, kThisProcessOnly };

  // `budget_bytes` bounds the index in memory; `file` holds the answers.
  LookupAnswers(KeyStore& store, std::size_t budget_bytes, std::unique_ptr<AnswerFile> file,
                Writers writers)
      : store_(store),
        budget_bytes_(budget_bytes),
        file_(std::move(file)),
        writers_(writers),
        cps_(budget_bytes / kCpsShare) {}

  // The CPS lookups' answers, kept current by the same catchUp(): every
  // one is dropped when the changes caught up with hold an advertisement
  // or an SPC-map change. An eighth of `budget_bytes` bounds them.
  CpsAnswers& cps() { return cps_; }

  // Drops what changed in the store since the last call.
  Result<void> catchUp();
  // Whether an answer for canonical `tn` is held with its keys all live
  // at `now`. Without a catchUp() first, a miss is still a miss (answers
  // are only ever dropped by catching up), so a caller may look first and
  // catch up only for a hit: a lookup not held then costs the store no
  // extra read.
  bool holds(const std::string& tn, Instant now) const;
  // Copies the held answer for `tn` into `into`, if holds() says so; call
  // catchUp() first. A copy, not a view into the file: the caller may
  // block on a slow client while it sends, and must not hold the lock that
  // keeps the answer in place meanwhile.
  bool copy(const std::string& tn, Instant now, Answer& into) const;
  // Keeps `answer` for `tn`, made from the store as of change `as_of`.
  // Before any catch-up, the first answer kept sets where this one starts.
  void keep(const std::string& tn, std::int64_t as_of, const Answer& answer);

  std::size_t count() const;
  // Bytes of the index in memory, counted against `budget_bytes`.
  std::size_t bytes() const;
  // Bytes of the file the answers take.
  std::size_t fileBytes() const;
  // Whether the index or the file has no room for another answer.
  bool full() const;
  // How often every answer has been dropped at once (the first catch-up
  // counts): a sign that answers made ahead are worth making again.
  std::uint64_t timesAllDropped() const;
  // Answers dropped to make room for others.
  std::uint64_t evicted() const;
  // Puts count(), bytes(), fileBytes() and the held CPS answers' count and
  // bytes into `metrics` for /metrics.
  void report(Metrics& metrics) const;

 private:
  // A number as one integer (numberKey() in the .cc): a string key was
  // twice the memory of an entry.
  using NumberKey = std::uint64_t;

  Result<void> catchUpWithStore();
  // holds() and copy(): `into` may be null.
  bool copy(const std::string& tn, Instant now, Answer* into) const;
  void dropScope(const TnScope& scope);  // under mutex_, exclusively
  void dropAll();
  // Under mutex_, exclusively: drops unmarked answers until `fits` says
  // so or none is left.
  void evictUntil(const std::function<bool()>& fits);
  // Marks the number as asked for; whether it was already.
  bool askedBefore(NumberKey number);

  static constexpr std::size_t kAskedBits = std::size_t(1) << 23;  // 1 MiB
  static constexpr std::size_t kCpsShare = 8;

  struct Held {
    Held(std::uint64_t p, Instant e) : place(p), earliest_expiry(e) {}
    std::uint64_t place;      // in file_
    Instant earliest_expiry;  // Instant::max() when it has no keys
    // Set by copy() under the shared lock, hence atomic; cleared by the hand.
    mutable std::atomic<bool> used{false};
  };
  using Index = std::unordered_map<NumberKey, Held>;
  // Under mutex_, exclusively: forgets an answer and gives back its space.
  void drop(Index::iterator it);

  KeyStore& store_;
  const std::size_t budget_bytes_;
  const std::unique_ptr<AnswerFile> file_;  // written under mutex_, exclusively
  const Writers writers_;
  bool failed_writing_ = false;  // the last write to file_ failed; said once
  // With kThisProcessOnly: one more than the count of this process's
  // commits read before the latest catch-up that has finished; 0 before
  // the first.
  std::atomic<std::uint64_t> caught_up_through_{0};
  std::mutex catching_up_;  // one catch-up at a time reads the changes
  mutable std::shared_mutex mutex_;
  // By hash, not in order: with a million answers a tree's walk of some
  // twenty nodes was a quarter of a cache hit's time. A scope's numbers
  // are dropped one by one instead (dropScope). An entry takes some 64
  // bytes with its bucket.
  Index answers_;
  std::size_t bytes_ = 0;
  std::size_t hand_ = 0;  // the bucket of answers_ the CLOCK hand is at
  std::uint64_t evicted_ = 0;
  // The admission filter: one bit per hash of a number asked for, and how
  // many were set since it was last cleared.
  std::unique_ptr<std::atomic<std::uint64_t>[]> asked_ {
    new std::atomic<std::uint64_t>[ kAskedBits / 64 ]()
  };
  std::atomic<std::size_t> asked_count_{0};
  std::uint64_t times_all_dropped_ = 0;
  std::int64_t applied_ = -1;  // the last change applied; -1 before the first catch-up
  CpsAnswers cps_;
};

// The answer of GET /v1/tns/{tn}/keys for canonical `tn`, made from the
// store, with the feed's last change it was made as of in `as_of`.
Result<LookupAnswers::Answer> tnKeysAnswer(KeyRegistry& registry, const std::string& tn,
                                           Instant now, std::int64_t* as_of);

}  // namespace keydir
