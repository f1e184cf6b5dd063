#pragma once
// Makes lookup answers ahead of the lookups (lookup_answers_prefill): the
// answer of every number with a live key of its own, in number order, until
// the budget of LookupAnswers is spent. The directory and the cache both
// run one.
//
// A pass runs at start, and again whenever every held answer has been
// dropped since the last one (a large import into the directory's file,
// a cache's first copy or a fresh snapshot swapped in): the held answers
// check for that every few seconds. A pass skips the numbers already held,
// so a second pass costs a walk of the store's number index, not the
// answers again. Answers dropped one scope at a time are made again by the
// next lookup, as without this.

#include <functional>

#include "certs/clock.h"
#include "directory/background_thread.h"
#include "directory/lookup_answers.h"
#include "directory/store/sql_key_store.h"

namespace keydir {

class AnswersMadeAhead {
 public:
  // All must outlive this. A pass waits until `ready` says so (a cache
  // before its first copy has nothing to make), and makes answers on
  // `threads` threads: on PostgreSQL each answer is a round trip, and one
  // thread waiting on each made a million in 140 s.
  AnswersMadeAhead(
      LookupAnswers& answers, SqlKeyStore& store, KeyRegistry& registry, const Clock& clock,
      std::function<bool()> ready = [] { return true; }, unsigned threads = 1);
  ~AnswersMadeAhead() { stop(); }

  void start();
  void stop();

 private:
  struct Pass {
    std::size_t numbers = 0;  // looked at
    std::size_t made = 0;     // answers made, not already held
  };
  void run();
  Result<Pass> pass();

  LookupAnswers& answers_;
  SqlKeyStore& store_;
  KeyRegistry& registry_;
  const Clock& clock_;
  const std::function<bool()> ready_;
  const unsigned threads_;
  BackgroundThread thread_;
};

}  // namespace keydir
