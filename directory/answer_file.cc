#include "directory/answer_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace keydir {
namespace {

struct Header {
  std::uint32_t room;  // header, etag, body and alignment
  std::uint32_t etag_size;
  std::uint32_t body_size;
  std::uint32_t unused;
};
// Records start at multiples of this: fewer sizes of free stretch, and a
// record's header never straddles a page.
constexpr std::size_t kAlignment = 64;

std::size_t roundUp(std::size_t bytes) {
  return (bytes + kAlignment - 1) / kAlignment * kAlignment;
}

Error fileError(const std::string& what, const std::string& directory) {
  return Error{ErrorCode::kUnavailable, "cannot " + what + " the held lookup answers' file in " +
                                            directory + ": " + std::strerror(errno)};
}

}  // namespace

Result<std::unique_ptr<AnswerFile>> AnswerFile::open(const std::string& directory,
                                                     std::size_t capacity) {
  capacity = capacity / kAlignment * kAlignment;
  if (capacity < 64 * kAlignment) {
    return fail(ErrorCode::kMalformed, "the held lookup answers' file needs at least " +
                                           std::to_string(64 * kAlignment) + " bytes, not " +
                                           std::to_string(capacity));
  }
  int fd = ::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
    // A file system without unnamed files: a named one, unlinked at once.
    std::string path = directory + "/keydir-answers-XXXXXX";
    fd = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd >= 0) ::unlink(path.c_str());
  }
  if (fd < 0) return std::unexpected(fileError("make", directory));
  // Owned from here: the destructor closes it whatever happens next.
  std::unique_ptr<AnswerFile> file(new AnswerFile(fd));
  // Sized, not filled: the disk's blocks are taken as answers are written.
  if (::ftruncate(fd, off_t(capacity)) != 0) return std::unexpected(fileError("size", directory));
  void* map = ::mmap(nullptr, capacity, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) return std::unexpected(fileError("map", directory));
  file->map_ = static_cast<const char*>(map);
  file->capacity_ = capacity;
  file->clear();
  return file;
}

AnswerFile::~AnswerFile() {
  if (map_) ::munmap(const_cast<char*>(map_), capacity_);
  ::close(fd_);
}

std::size_t AnswerFile::roomFor(const Record& record) {
  return roundUp(sizeof(Header) + record.etag.size() + record.body.size());
}

bool AnswerFile::fits(std::size_t room) const {
  return !free_by_size_.empty() && free_by_size_.rbegin()->first >= room;
}

std::optional<std::uint64_t> AnswerFile::take(std::size_t room) {
  auto best = free_by_size_.lower_bound({room, 0});
  if (best == free_by_size_.end()) return std::nullopt;
  const auto [size, place] = *best;
  free_by_size_.erase(best);
  free_by_place_.erase(place);
  if (size > room) {
    free_by_place_.emplace(place + room, size - room);
    free_by_size_.emplace(size - room, place + room);
  }
  used_ += room;
  return place;
}

void AnswerFile::giveBack(std::uint64_t place, std::size_t room) {
  used_ -= room;
  auto next = free_by_place_.lower_bound(place);
  if (next != free_by_place_.end() && next->first == place + room) {
    room += next->second;
    free_by_size_.erase({next->second, next->first});
    next = free_by_place_.erase(next);
  }
  if (next != free_by_place_.begin()) {
    auto before = std::prev(next);
    if (before->first + before->second == place) {
      free_by_size_.erase({before->second, before->first});
      place = before->first;
      room += before->second;
      free_by_place_.erase(before);
    }
  }
  free_by_place_.emplace(place, room);
  free_by_size_.emplace(room, place);
}

void AnswerFile::giveBack(std::uint64_t place) {
  Header header;
  std::memcpy(&header, map_ + place, sizeof header);
  giveBack(place, header.room);
}

void AnswerFile::clear() {
  free_by_place_ = {{0, capacity_}};
  free_by_size_ = {{capacity_, 0}};
  used_ = 0;
}

Result<std::optional<std::uint64_t>> AnswerFile::write(const Record& record) {
  if (record.etag.size() > UINT32_MAX || record.body.size() > UINT32_MAX) return std::nullopt;
  const std::size_t room = roomFor(record);
  const auto place = take(room);
  if (!place) return std::nullopt;
  const Header header{std::uint32_t(room), std::uint32_t(record.etag.size()),
                      std::uint32_t(record.body.size()), 0};
  iovec pieces[] = {
      {const_cast<Header*>(&header), sizeof header},
      {const_cast<char*>(record.etag.data()), record.etag.size()},
      {const_cast<char*>(record.body.data()), record.body.size()},
  };
  const ssize_t total = ssize_t(sizeof header + record.etag.size() + record.body.size());
  errno = 0;
  if (::pwritev(fd_, pieces, 3, off_t(*place)) != total) {
    const std::string why = errno ? std::strerror(errno) : "a short write";
    giveBack(*place, room);
    return fail(ErrorCode::kUnavailable, "cannot write a held lookup answer: " + why);
  }
  return place;
}

AnswerFile::Record AnswerFile::read(std::uint64_t place) const {
  Header header;
  std::memcpy(&header, map_ + place, sizeof header);
  const char* etag = map_ + place + sizeof header;
  return Record{std::string_view(etag, header.etag_size),
                std::string_view(etag + header.etag_size, header.body_size)};
}

}  // namespace keydir
