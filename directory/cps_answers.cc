#include "directory/cps_answers.h"

namespace keydir {

std::uint64_t CpsAnswers::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

void CpsAnswers::advance() {
  std::lock_guard lock(mutex_);
  ++generation_;
  by_number_.clear();
  heads_.clear();
}

bool CpsAnswers::copy(const std::string& tn, Instant now, Answer& into) const {
  std::lock_guard lock(mutex_);
  auto it = by_number_.find(tn);
  if (it == by_number_.end()) return false;
  if (it->second.expires && *it->second.expires <= now) return false;
  into.head = it->second.head;
  into.expires = it->second.expires;
  return true;
}

void CpsAnswers::keep(const std::string& tn, std::uint64_t made_in, std::string head,
                      std::optional<Instant> expires) {
  std::lock_guard lock(mutex_);
  // Made before a change it may not show.
  if (made_in != generation_) return;
  if (by_number_.size() >= most_numbers_) {
    by_number_.clear();
    heads_.clear();
  }
  auto known = heads_.find(head);
  if (known == heads_.end()) {
    auto shared = std::make_shared<const std::string>(std::move(head));
    known = heads_.emplace(std::string_view(*shared), shared).first;
  }
  by_number_.insert_or_assign(tn, Held{known->second, expires});
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

}  // namespace keydir
