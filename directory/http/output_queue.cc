#include "directory/http/output_queue.h"

#include <algorithm>

namespace keydir {
namespace {

// Pieces gathered into one write: a padded answer is three (its records,
// the padding, the end), and several pipelined answers can go together.
constexpr std::size_t kPiecesPerWrite = 16;
// An emptied queue keeps a copy buffer this large for the next answer;
// a larger one, left by a large answer, is given back.
constexpr std::size_t kKeptCapacity = 16 * 1024;

}  // namespace

void OutputQueue::append(std::string_view bytes) {
  if (bytes.empty()) return;
  if (segments_.size() == front_ || !segments_.back().lasting.empty()) {
    segments_.emplace_back();
  }
  segments_.back().copied.append(bytes);
  pending_ += bytes.size();
}

void OutputQueue::appendLasting(std::string_view bytes) {
  if (bytes.empty()) return;
  segments_.push_back({{}, bytes});
  pending_ += bytes.size();
}

IoResult OutputQueue::writeTo(Channel& channel) {
  if (pending_ == 0) return {IoStatus::kDone, 0};
  std::string_view pieces[kPiecesPerWrite];
  std::size_t count = 0;
  for (std::size_t i = front_; i < segments_.size() && count < kPiecesPerWrite; ++i) {
    pieces[count++] = segments_[i].bytes().substr(i == front_ ? front_sent_ : 0);
  }
  IoResult result = channel.writeGathered(pieces, count);
  if (result.status == IoStatus::kDone) consume(result.bytes);
  return result;
}

void OutputQueue::consume(std::size_t bytes) {
  pending_ -= bytes;
  front_sent_ += bytes;
  while (front_ < segments_.size() && front_sent_ >= segments_[front_].bytes().size()) {
    front_sent_ -= segments_[front_].bytes().size();
    if (front_ + 1 < segments_.size()) std::string().swap(segments_[front_].copied);
    ++front_;
  }
  if (front_ < segments_.size()) {
    // A client that keeps a backlog must not keep the written segments too.
    if (front_ >= kPiecesPerWrite) {
      segments_.erase(segments_.begin(), segments_.begin() + std::ptrdiff_t(front_));
      front_ = 0;
    }
    return;
  }
  // All written: keep one modest copy buffer for the next answer.
  std::string kept;
  for (Segment& segment : segments_) {
    if (segment.copied.capacity() > kept.capacity() && segment.copied.capacity() <= kKeptCapacity) {
      kept.swap(segment.copied);
    }
  }
  segments_.clear();
  front_ = 0;
  front_sent_ = 0;
  if (kept.capacity() > 0) {
    kept.clear();
    segments_.push_back({std::move(kept), {}});
  }
}

}  // namespace keydir
