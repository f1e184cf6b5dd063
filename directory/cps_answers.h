#pragma once
// Finished answers of GET /v1/tns/{tn}/cps, held by number beside the key
// lookups' (LookupAnswers owns one and keeps it current), so that a held
// CPS lookup skips the advertisements' statement.
//
// A number's answer depends only on the advertisements and the SPC map,
// which change seldom, and nearly always equals its neighbours' but for
// the number itself. So each distinct answer is held once, without its
// number, and by number only a reference to it. Any change to an
// advertisement or to the SPC map drops every answer at once (advance());
// an answer made before such a change is not kept, even if it is offered
// after (keep() is told the generation it was made in). An answer also
// lapses when its first advertisement expires.
//
// `most_bytes` bounds the numbers and the distinct answers together: past
// it, numbers are dropped one at a time by a hand walking the table (so
// a directory with more numbers than fit keeps as many as fit, and never
// stalls its lookups to empty the table), and an answer goes with the
// last number that refers to it. Thread-safe.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "certs/instant.h"

namespace keydir {

class CpsAnswers {
  struct Head {
    std::shared_ptr<const std::string> text;
    std::size_t numbers = 0;  // held numbers that refer to it
  };
  struct Held {
    Head* head;  // elements of the answers' table stay put as it grows
    std::optional<Instant> expires;
  };
  using Numbers = std::unordered_map<std::string, Held>;
  // Each distinct answer once; the key is a view of its text.
  using Heads = std::unordered_map<std::string_view, Head>;

 public:
  // What advance() dropped, freed when this goes: a million numbers take
  // tens of milliseconds to free, which a caller can spend after it lets
  // go of the locks that lookups wait for.
  class Dropped {
   private:
    friend class CpsAnswers;
    Numbers numbers_;
    Heads heads_;
  };

  struct Answer {
    // The answer up to its number: `{"cps":[...]`; finish() completes it.
    std::shared_ptr<const std::string> head;
    std::optional<Instant> expires;  // its first advertisement's expiry
  };

  // What a number and an answer count against the bound, besides the
  // answer's own bytes: their nodes and keys, as malloc rounds them.
  static constexpr std::size_t kBytesANumber = 96;
  static constexpr std::size_t kBytesAnAnswer = 64;

  explicit CpsAnswers(std::size_t most_bytes) : most_bytes_(most_bytes) {}

  // Read before the store is asked, and handed to keep() with the answer.
  std::uint64_t generation() const;
  // An advertisement or the SPC map changed: every answer is dropped.
  Dropped advance();

  bool copy(const std::string& tn, Instant now, Answer& into) const;
  // Copies `head` only if no held number has the same answer already.
  void keep(const std::string& tn, std::uint64_t made_in, const std::string& head,
            std::optional<Instant> expires);

  // The whole answer for `tn`, from its head.
  static std::string finish(const std::string& head, const std::string& tn);

  // Numbers held, and the bytes they and their answers count.
  std::size_t count() const;
  std::size_t bytes() const;

 private:
  // Under mutex_: forgets a number, and its answer with the last number.
  void drop(Numbers::iterator number);
  // Under mutex_, with a number held: drops the first number of the next
  // bucket that holds one.
  void dropAtHand();

  const std::size_t most_bytes_;
  mutable std::mutex mutex_;
  std::uint64_t generation_ = 0;
  std::size_t bytes_ = 0;
  std::size_t hand_ = 0;  // the bucket dropAtHand() looks at next
  Numbers by_number_;
  Heads heads_;
};

}  // namespace keydir
