#pragma once
// The bytes of held lookup answers (directory/lookup_answers.h), in a file
// of fixed size. The file has no name (it is gone when the process ends)
// and is read through a shared memory map, so its pages are the kernel's
// page cache: a million answers (some 2 GB) do not count against the
// process's own memory, and the kernel writes them out and drops them when
// it needs the room, as it does for the files nginx serves. Writes go
// through pwrite, so that a full disk is an error to handle rather than a
// SIGBUS at the map.
//
// Space is handed out best fit from the free stretches of the file, which
// join their neighbours when given back: answers are much of a size (one
// key's record, some 2 KB, is the usual one), so the file does not break
// into pieces too small to use. Who decides what to give up when nothing
// fits is the caller (LookupAnswers makes room by CLOCK).
//
// Not thread-safe: LookupAnswers writes under its exclusive lock and reads
// under its shared one.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "certs/error.h"

namespace keydir {

class AnswerFile {
 public:
  struct Record {
    std::string_view etag;
    std::string_view body;
  };

  // A file of `capacity` bytes without a name in `directory`.
  // kUnavailable when the directory does not take one or the map cannot be
  // made; kMalformed for a capacity too small to hold an answer.
  static Result<std::unique_ptr<AnswerFile>> open(const std::string& directory,
                                                  std::size_t capacity);
  ~AnswerFile();
  AnswerFile(const AnswerFile&) = delete;
  AnswerFile& operator=(const AnswerFile&) = delete;

  // The space a record takes, its header and alignment included.
  static std::size_t roomFor(const Record& record);
  // Whether a record taking `room` would fit now.
  bool fits(std::size_t room) const;
  // Writes `record` into free space and returns where; none when no free
  // stretch is large enough. kUnavailable when the write fails (the disk
  // is full, say): the space stays free then.
  Result<std::optional<std::uint64_t>> write(const Record& record);
  // The record written at `place` and not given back since.
  Record read(std::uint64_t place) const;
  // Gives back the space of the record at `place`.
  void giveBack(std::uint64_t place);
  // Gives back every record's space.
  void clear();

  std::size_t capacity() const { return capacity_; }
  std::size_t usedBytes() const { return used_; }

 private:
  explicit AnswerFile(int fd) : fd_(fd) {}
  std::optional<std::uint64_t> take(std::size_t room);
  void giveBack(std::uint64_t place, std::size_t room);

  const int fd_;
  const char* map_ = nullptr;  // set once by open()
  std::size_t capacity_ = 0;
  std::size_t used_ = 0;
  // The free stretches, by place and by (size, place) for the best fit.
  std::map<std::uint64_t, std::size_t> free_by_place_;
  std::set<std::pair<std::size_t, std::uint64_t>> free_by_size_;
};

}  // namespace keydir
