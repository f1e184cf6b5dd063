#include "directory/lookup_answers.h"

#include <iostream>

#include "directory/http/http_exchange.h"
#include "directory/http/metrics.h"
#include "directory/store/sqlite.h"

namespace keydir {
namespace {

// More changes than this at once and every answer is dropped instead:
// reading the scopes of each would cost more than answering again.
constexpr std::size_t kMostChangesApplied = 1000;
// An index entry: the map's node (the number, where its answer is, its
// expiry, the mark, the hash) and its bucket, roughly.
constexpr std::size_t kOverheadBytes = 96;
// The room an answer of one key's record takes in the file, for full().
constexpr std::size_t kUsualRoom = 4096;

// The number after `tn`, of the same length (a scope never leaves it).
void nextNumber(std::string& tn) {
  for (auto digit = tn.rbegin(); digit != tn.rend(); ++digit) {
    if (*digit != '9') {
      ++*digit;
      return;
    }
    *digit = '0';
  }
}

// What an entry of the index takes; a number longer than a short string's
// own room is on the heap.
std::size_t sizeOf(const std::string& tn) {
  return kOverheadBytes + (tn.size() > 15 ? tn.size() + 1 : 0);
}

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
  std::lock_guard one_at_a_time(catching_up_);
  std::int64_t from;
  {
    std::shared_lock read(mutex_);
    from = applied_;
  }
  if (from >= *last) return {};  // another thread caught up meanwhile
  if (from < 0) {
    std::unique_lock write(mutex_);
    dropAll();
    applied_ = *last;
    return {};
  }
  auto changed = store_.scopesChangedSince(from, kMostChangesApplied);
  if (!changed) return std::unexpected(changed.error());
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
  std::shared_lock read(mutex_);
  auto it = answers_.find(tn);
  if (it == answers_.end()) return false;
  const Held& held = it->second;
  if (held.earliest_expiry && *held.earliest_expiry <= now) return false;
  // Only written when it changes: a store to a line every thread reads
  // would make each hit bounce it between cores.
  if (!held.used.load(std::memory_order_relaxed)) held.used.store(true, std::memory_order_relaxed);
  if (into) {
    const AnswerFile::Record record = file_->read(held.place);
    into->body.assign(record.body);
    into->etag.assign(record.etag);
    into->earliest_expiry = held.earliest_expiry;
  }
  return true;
}

bool LookupAnswers::askedBefore(const std::string& tn) {
  const std::size_t bit = std::hash<std::string>{}(tn) % kAskedBits;
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
  const std::size_t size = sizeOf(tn);
  const AnswerFile::Record record{answer.etag, answer.body};
  const std::size_t room = AnswerFile::roomFor(record);
  if (size > budget_bytes_ || room > file_->capacity() / 2) return;
  bool full;
  {
    std::shared_lock read(mutex_);
    full = bytes_ + size > budget_bytes_ || !file_->fits(room);
  }
  if (full && !askedBefore(tn)) return;
  std::unique_lock write(mutex_);
  // Before any catch-up the map is empty, and an answer made at `as_of`
  // is current there: the next catch-up starts from it.
  if (applied_ < 0) applied_ = as_of;
  // Made before a change already applied, it may be what that change dropped.
  if (as_of < applied_) return;
  if (auto it = answers_.find(tn); it != answers_.end()) drop(it);
  evictUntil([&] { return bytes_ + size <= budget_bytes_ && file_->fits(room); });
  auto place = file_->write(record);
  if (!place) {
    // Said once, not on every lookup; the answer is made afresh meanwhile.
    if (!failed_writing_)
      std::cerr << "keydir: held lookup answers: " << place.error().message << "\n";
    failed_writing_ = true;
    return;
  }
  failed_writing_ = false;
  if (!*place) return;  // nothing left to make room with
  answers_.try_emplace(tn, **place, answer.earliest_expiry);
  bytes_ += size;
}

void LookupAnswers::drop(Index::iterator it) {
  bytes_ -= sizeOf(it->first);
  file_->giveBack(it->second.place);
  answers_.erase(it);
}

void LookupAnswers::evictUntil(const std::function<bool()>& fits) {
  std::vector<std::string> unused;
  while (!fits() && !answers_.empty()) {
    hand_ %= answers_.bucket_count();
    unused.clear();
    for (auto it = answers_.cbegin(hand_); it != answers_.cend(hand_); ++it) {
      // A marked answer gets one more turn of the hand.
      if (!it->second.used.exchange(false, std::memory_order_relaxed)) unused.push_back(it->first);
    }
    for (const std::string& tn : unused) {
      drop(answers_.find(tn));
      ++evicted_;
      if (fits()) break;
    }
    ++hand_;
  }
}

void LookupAnswers::dropScope(const TnScope& scope) {
  auto dropThen = [this](Index::iterator it) {
    auto next = std::next(it);
    drop(it);
    return next;
  };
  // A range smaller than what is held is walked number by number; a larger
  // one costs a pass over what is held instead.
  if (scope.count() > answers_.size()) {
    for (auto it = answers_.begin(); it != answers_.end();) {
      it = scope.holdsNumber(it->first) ? dropThen(it) : std::next(it);
    }
    return;
  }
  std::string tn = scope.value();
  for (std::uint64_t i = 0; i < scope.count(); ++i) {
    if (i > 0) nextNumber(tn);
    if (auto it = answers_.find(tn); it != answers_.end()) drop(it);
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
