#include "directory/cps_answers.h"

namespace keydir {

std::uint64_t CpsAnswers::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

CpsAnswers::Dropped CpsAnswers::advance() {
  Dropped dropped;
  std::lock_guard lock(mutex_);
  ++generation_;
  dropped.numbers_.swap(by_number_);
  dropped.heads_.swap(heads_);
  bytes_ = 0;
  hand_ = 0;
  return dropped;
}

bool CpsAnswers::copy(const std::string& tn, Instant now, Answer& into) const {
  std::lock_guard lock(mutex_);
  auto it = by_number_.find(tn);
  if (it == by_number_.end()) return false;
  if (it->second.expires && *it->second.expires <= now) return false;
  into.head = it->second.head->text;
  into.expires = it->second.expires;
  return true;
}

void CpsAnswers::keep(const std::string& tn, std::uint64_t made_in, const std::string& head,
                      std::optional<Instant> expires) {
  std::lock_guard lock(mutex_);
  // Made before a change it may not show.
  if (made_in != generation_) return;
  if (kBytesANumber + kBytesAnAnswer + head.size() > most_bytes_) return;  // could never fit
  if (auto held = by_number_.find(tn); held != by_number_.end()) drop(held);
  auto known = heads_.find(head);
  if (known == heads_.end()) {
    auto text = std::make_shared<const std::string>(head);
    known = heads_.emplace(std::string_view(*text), Head{text, 0}).first;
    bytes_ += kBytesAnAnswer + text->size();
  }
  Head* kept = &known->second;
  ++kept->numbers;  // first, so that making room cannot drop it
  bytes_ += kBytesANumber;
  while (bytes_ > most_bytes_ && !by_number_.empty()) dropAtHand();
  by_number_.emplace(tn, Held{kept, expires});
}

void CpsAnswers::drop(Numbers::iterator number) {
  Head* head = number->second.head;
  by_number_.erase(number);
  bytes_ -= kBytesANumber;
  if (--head->numbers > 0) return;
  bytes_ -= kBytesAnAnswer + head->text->size();
  // The key views the text the element owns: hold it while erasing.
  const std::shared_ptr<const std::string> text = head->text;
  heads_.erase(std::string_view(*text));
}

void CpsAnswers::dropAtHand() {
  const std::size_t buckets = by_number_.bucket_count();
  while (by_number_.bucket_size(hand_ % buckets) == 0) ++hand_;
  drop(by_number_.find(by_number_.begin(hand_++ % buckets)->first));
}

std::string CpsAnswers::finish(const std::string& head, const std::string& tn) {
  std::string body;
  body.reserve(head.size() + tn.size() + 10);
  body += head;
  body += "],\"tn\":\"";
  body += tn;
  body += "\"}";
  return body;
}

std::size_t CpsAnswers::count() const {
  std::lock_guard lock(mutex_);
  return by_number_.size();
}

std::size_t CpsAnswers::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace keydir
