#include "directory/server/answers_made_ahead.h"

#include <algorithm>
#include <cmath>
#include <iostream>

#include "directory/on_threads.h"

namespace keydir {
namespace {

// How often the held answers are asked whether they were all dropped.
constexpr std::chrono::seconds kCheckPeriod{5};
constexpr std::size_t kBatch = 1000;

}  // namespace

AnswersMadeAhead::AnswersMadeAhead(LookupAnswers& answers, SqlKeyStore& store,
                                   KeyRegistry& registry, const Clock& clock,
                                   std::function<bool()> ready, unsigned threads)
    : answers_(answers),
      store_(store),
      registry_(registry),
      clock_(clock),
      ready_(std::move(ready)),
      threads_(std::max(1u, threads)) {}

void AnswersMadeAhead::start() {
  thread_.start([this] { run(); });
}

void AnswersMadeAhead::stop() { thread_.stop(); }

void AnswersMadeAhead::run() {
  std::uint64_t made_after =
      0;  // every answer had been dropped this often when the last pass began
  do {
    if (!ready_()) continue;
    if (auto caught_up = answers_.catchUp(); !caught_up) {
      std::cerr << "keydir: making lookup answers ahead: " << caught_up.error().message << "\n";
      continue;
    }
    const std::uint64_t dropped = answers_.timesAllDropped();
    if (dropped == made_after) continue;
    made_after = dropped;
    const auto started = std::chrono::steady_clock::now();
    auto done = pass();
    if (!done) {
      std::cerr << "keydir: making lookup answers ahead: " << done.error().message << "\n";
      continue;
    }
    if (done->numbers == 0) continue;
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    std::cerr << "keydir: lookup answers made ahead: " << answers_.count() << " held ("
              << (answers_.fileBytes() >> 20) << " MiB of file, " << (answers_.bytes() >> 20)
              << " MiB of index), " << done->made << " made for " << done->numbers
              << " numbers, in " << std::lround(took.count()) << " s\n";
  } while (thread_.sleep(kCheckPeriod));
}

Result<AnswersMadeAhead::Pass> AnswersMadeAhead::pass() {
  Pass done;
  std::string after;
  while (!thread_.stopping() && !answers_.full()) {
    auto numbers = store_.ownNumbersAfter(after, kBatch);
    if (!numbers) return std::unexpected(numbers.error());
    if (numbers->empty()) break;
    if (auto ok = answers_.catchUp(); !ok) return std::unexpected(ok.error());
    const Instant now = clock_.now();
    const auto made = mapOnThreads<char>(*numbers, threads_, [&](const std::string& tn) -> char {
      if (answers_.holds(tn, now)) return 0;
      std::int64_t as_of = 0;
      auto answer = tnKeysAnswer(registry_, tn, now, &as_of);
      if (!answer) return 0;  // this number is answered, or refused, by its lookup
      // Its own keys all revoked or removed: not worth the budget ahead of
      // a lookup (which holds the empty answer as any other).
      if (!answer->earliest_expiry) return 0;
      answers_.keep(tn, as_of, *answer);
      return 1;
    });
    done.numbers += numbers->size();
    done.made += std::size_t(std::count(made.begin(), made.end(), 1));
    after = numbers->back();
  }
  return done;
}

}  // namespace keydir
