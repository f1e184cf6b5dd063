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
// lapses when its first advertisement expires. Past `most_numbers`, every
// answer is dropped and holding starts again. Thread-safe.

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
 public:
  struct Answer {
    // The answer up to its number: `{"cps":[...]`; finish() completes it.
    std::shared_ptr<const std::string> head;
    std::optional<Instant> expires;  // its first advertisement's expiry
  };

  explicit CpsAnswers(std::size_t most_numbers) : most_numbers_(most_numbers) {}

  // Read before the store is asked, and handed to keep() with the answer.
  std::uint64_t generation() const;
  // An advertisement or the SPC map changed: every answer is dropped.
  void advance();

  bool copy(const std::string& tn, Instant now, Answer& into) const;
  void keep(const std::string& tn, std::uint64_t made_in, std::string head,
            std::optional<Instant> expires);

  // The whole answer for `tn`, from its head.
  static std::string finish(const std::string& head, const std::string& tn);

  std::size_t count() const;

 private:
  struct Held {
    std::shared_ptr<const std::string> head;
    std::optional<Instant> expires;
  };
  const std::size_t most_numbers_;
  mutable std::mutex mutex_;
  std::uint64_t generation_ = 0;
  std::unordered_map<std::string, Held> by_number_;
  // Each distinct head once; the key is a view of the held string.
  std::unordered_map<std::string_view, std::shared_ptr<const std::string>> heads_;
};

}  // namespace keydir
