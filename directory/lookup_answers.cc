#include "directory/lookup_answers.h"

#include <iostream>
#include <optional>
#include <string_view>

#include "directory/http/http_exchange.h"
#include "directory/http/metrics.h"
#include "directory/store/sqlite.h"

namespace keydir {
namespace {

// More changes than this at once and every answer is dropped instead:
// reading the scopes of each would cost more than answering again.
constexpr std::size_t kMostChangesApplied = 1000;
// An index entry: the map's node (the number, where its answer is, its
// expiry, the mark) as malloc rounds it, and its bucket, roughly.
constexpr std::size_t kOverheadBytes = 64;
// The room an answer of one key's record takes in the file, for full().
constexpr std::size_t kUsualRoom = 4096;

// A canonical number (at most 15 digits, E.164) as one integer: its value,
// with its length above it so that numbers of different lengths differ.
// The numbers of a scope are then consecutive integers (a scope never
// leaves its length). None for anything else, which is never held.
std::optional<std::uint64_t> numberKey(std::string_view tn) {
  if (tn.empty() || tn.size() > 15) return std::nullopt;
  std::uint64_t value = 0;
  for (char digit : tn) {
    if (digit < '0' || digit > '9') return std::nullopt;
    value = value * 10 + std::uint64_t(digit - '0');
  }
  return (std::uint64_t(tn.size()) << 56) | value;
}

constexpr Instant kNoExpiry = Instant::max();

}  // namespace

Result<void> LookupAnswers::catchUp() {
  if (writers_ == Writers::kAnyProcess) return catchUpWithStore();
  // Read before the store, so that a commit counted after this read is
  // looked for again by the next call.
  const std::uint64_t through = commitsInThisProcess() + 1;
  std::uint64_t caught_up = caught_up_through_.load(std::memory_order_acquire);
  if (caught_up >= through) return {};
  auto ok = catchUpWithStore();
  if (!ok) return ok;
  // Raised, never lowered: a later count caught up by another thread
  // covers this one.
  while (caught_up < through &&
         !caught_up_through_.compare_exchange_weak(caught_up, through, std::memory_order_acq_rel)) {
  }
  return {};
}

Result<void> LookupAnswers::catchUpWithStore() {
  auto last = store_.lastChange();
  if (!last) return std::unexpected(last.error());
  {
    std::shared_lock read(mutex_);
    if (applied_ == *last) return {};
  }
  // Declared before the lock: the CPS answers a change drops are freed
  // after it is let go, so that lookups catching up need not wait for it.
  CpsAnswers::Dropped dropped_cps_answers;
  std::lock_guard one_at_a_time(catching_up_);
  std::int64_t from;
  {
    std::shared_lock read(mutex_);
    from = applied_;
  }
  if (from >= *last) return {};  // another thread caught up meanwhile
  if (from < 0) {
    dropped_cps_answers = cps_.advance();
    std::unique_lock write(mutex_);
    dropAll();
    applied_ = *last;
    return {};
  }
  auto changed = store_.scopesChangedSince(from, kMostChangesApplied);
  if (!changed) return std::unexpected(changed.error());
  // Before applied_ moves: a CPS answer made after this catch-up began may
  // predate the change, and is refused by its generation.
  if (changed->everything || changed->ads) dropped_cps_answers = cps_.advance();
  std::unique_lock write(mutex_);
  if (changed->everything) {
    dropAll();
  } else {
    for (const TnScope& scope : changed->scopes) dropScope(scope);
  }
  applied_ = changed->to;
  return {};
}

bool LookupAnswers::holds(const std::string& tn, Instant now) const {
  return copy(tn, now, nullptr);
}

bool LookupAnswers::copy(const std::string& tn, Instant now, Answer& into) const {
  return copy(tn, now, &into);
}

bool LookupAnswers::copy(const std::string& tn, Instant now, Answer* into) const {
  const auto number = numberKey(tn);
  if (!number) return false;
  std::shared_lock read(mutex_);
  auto it = answers_.find(*number);
  if (it == answers_.end()) return false;
  const Held& held = it->second;
  if (held.earliest_expiry <= now) return false;
  // Only written when it changes: a store to a line every thread reads
  // would make each hit bounce it between cores.
  if (!held.used.load(std::memory_order_relaxed)) held.used.store(true, std::memory_order_relaxed);
  if (into) {
    const AnswerFile::Record record = file_->read(held.place);
    into->body.assign(record.body);
    into->etag.assign(record.etag);
    into->earliest_expiry =
        held.earliest_expiry == kNoExpiry ? std::nullopt : std::optional(held.earliest_expiry);
  }
  return true;
}

bool LookupAnswers::askedBefore(NumberKey number) {
  // Fibonacci hashing: neighbouring numbers land far apart.
  const std::size_t bit = std::size_t((number * 0x9E3779B97F4A7C15ull) >> 40) % kAskedBits;
  const std::uint64_t mask = std::uint64_t(1) << (bit % 64);
  if (asked_[bit / 64].fetch_or(mask, std::memory_order_relaxed) & mask) return true;
  // Cleared once an eighth of the bits were set, so that what counts as
  // asked before is recent and false positives stay rare. A bit set by
  // another thread while clearing may be lost: it only delays an answer.
  if (asked_count_.fetch_add(1, std::memory_order_relaxed) + 1 >= kAskedBits / 8) {
    asked_count_.store(0, std::memory_order_relaxed);
    for (std::size_t i = 0; i < kAskedBits / 64; ++i) asked_[i].store(0, std::memory_order_relaxed);
  }
  return false;
}

void LookupAnswers::keep(const std::string& tn, std::int64_t as_of, const Answer& answer) {
  const auto number = numberKey(tn);
  if (!number) return;
  const AnswerFile::Record record{answer.etag, answer.body};
  const std::size_t room = AnswerFile::roomFor(record);
  if (kOverheadBytes > budget_bytes_ || room > file_->capacity() / 2) return;
  bool full;
  {
    std::shared_lock read(mutex_);
    full = bytes_ + kOverheadBytes > budget_bytes_ || !file_->fits(room);
  }
  if (full && !askedBefore(*number)) return;
  std::unique_lock write(mutex_);
  // Before any catch-up the map is empty, and an answer made at `as_of`
  // is current there: the next catch-up starts from it.
  if (applied_ < 0) applied_ = as_of;
  // Made before a change already applied, it may be what that change dropped.
  if (as_of < applied_) return;
  if (auto it = answers_.find(*number); it != answers_.end()) drop(it);
  evictUntil([&] { return bytes_ + kOverheadBytes <= budget_bytes_ && file_->fits(room); });
  auto place = file_->write(record);
  if (!place) {
    // Said once, not on every lookup; the answer is made afresh meanwhile.
    if (!failed_writing_) {
      std::cerr << "keydir: held lookup answers: " << place.error().message << "\n";
    }
    failed_writing_ = true;
    return;
  }
  failed_writing_ = false;
  if (!*place) return;  // nothing left to make room with
  answers_.try_emplace(*number, **place, answer.earliest_expiry.value_or(kNoExpiry));
  bytes_ += kOverheadBytes;
}

void LookupAnswers::drop(Index::iterator it) {
  bytes_ -= kOverheadBytes;
  file_->giveBack(it->second.place);
  answers_.erase(it);
}

void LookupAnswers::evictUntil(const std::function<bool()>& fits) {
  std::vector<NumberKey> unused;
  while (!fits() && !answers_.empty()) {
    hand_ %= answers_.bucket_count();
    unused.clear();
    for (auto it = answers_.cbegin(hand_); it != answers_.cend(hand_); ++it) {
      // A marked answer gets one more turn of the hand.
      if (!it->second.used.exchange(false, std::memory_order_relaxed)) unused.push_back(it->first);
    }
    for (NumberKey number : unused) {
      drop(answers_.find(number));
      ++evicted_;
      if (fits()) break;
    }
    ++hand_;
  }
}

void LookupAnswers::dropScope(const TnScope& scope) {
  const auto first = numberKey(scope.value());
  if (!first) return;
  // Unsigned: below the first number wraps to far above the count.
  auto inScope = [&](NumberKey number) { return number - *first < scope.count(); };
  // A range smaller than what is held is walked number by number; a larger
  // one costs a pass over what is held instead.
  if (scope.count() > answers_.size()) {
    for (auto it = answers_.begin(); it != answers_.end();) {
      if (inScope(it->first)) {
        auto next = std::next(it);
        drop(it);
        it = next;
      } else {
        ++it;
      }
    }
    return;
  }
  for (std::uint64_t i = 0; i < scope.count(); ++i) {
    if (auto it = answers_.find(*first + i); it != answers_.end()) drop(it);
  }
}

void LookupAnswers::dropAll() {
  answers_.clear();
  file_->clear();
  bytes_ = 0;
  ++times_all_dropped_;
}

Result<LookupAnswers::Answer> tnKeysAnswer(KeyRegistry& registry, const std::string& tn,
                                           Instant now, std::int64_t* as_of) {
  auto found = registry.lookup(tn, now);
  if (!found) return std::unexpected(found.error());
  *as_of = found->as_of;
  LookupAnswers::Answer answer;
  // One allocation of the exact size: a string grown by appending keeps up
  // to twice what it holds, and a million held answers would carry it.
  std::size_t size = found->tn.size() + 20;
  for (const auto& key : found->keys) size += key.record.size() + 1;
  answer.body.reserve(size);
  // The stored records are JSON already: join them rather than re-encode.
  answer.body += "{\"tn\":\"";
  answer.body += found->tn;
  answer.body += "\",\"keys\":[";
  for (std::size_t i = 0; i < found->keys.size(); ++i) {
    if (i) answer.body += ',';
    answer.body += found->keys[i].record;
    const Instant expires = found->keys[i].expires;
    if (!answer.earliest_expiry || expires < *answer.earliest_expiry) {
      answer.earliest_expiry = expires;
    }
  }
  answer.body += "]}";
  answer.etag = etagFor(answer.body);
  return answer;
}

void LookupAnswers::report(Metrics& metrics) const {
  metrics.setHeldCpsAnswers(double(cps_.count()), double(cps_.bytes()));  // under its own lock
  std::shared_lock read(mutex_);
  metrics.setHeldAnswers(double(answers_.size()), double(bytes_), double(file_->usedBytes()));
}

std::size_t LookupAnswers::count() const {
  std::shared_lock read(mutex_);
  return answers_.size();
}

std::size_t LookupAnswers::bytes() const {
  std::shared_lock read(mutex_);
  return bytes_;
}

std::uint64_t LookupAnswers::evicted() const {
  std::shared_lock read(mutex_);
  return evicted_;
}

std::uint64_t LookupAnswers::timesAllDropped() const {
  std::shared_lock read(mutex_);
  return times_all_dropped_;
}

std::size_t LookupAnswers::fileBytes() const {
  std::shared_lock read(mutex_);
  return file_->usedBytes();
}

bool LookupAnswers::full() const {
  std::shared_lock read(mutex_);
  return bytes_ + kOverheadBytes >= budget_bytes_ || !file_->fits(kUsualRoom);
}

}  // namespace keydir
