#pragma once
// The bytes a connection has yet to send, in order. What an answer writes
// is copied in, except blocks that last as long as the program (a bucket
// answer's padding), which are queued by reference and sent from where they
// are: a padded answer is mostly such a block, and copying it showed in
// profiles. Writes gather several pieces into one call.
//
// Not thread-safe: the connection's owner alone uses it.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "directory/http/channel.h"

namespace keydir {

class OutputQueue {
 public:
  // Copies `bytes` in.
  void append(std::string_view bytes);
  // Queues `bytes` without copying them; they must outlive the queue.
  void appendLasting(std::string_view bytes);

  // Bytes queued and not yet written.
  std::size_t size() const { return pending_; }

  // Writes from the front as far as `channel` takes it at once. kDone with
  // the bytes written, or what the channel said when it wrote nothing.
  IoResult writeTo(Channel& channel);

 private:
  struct Segment {
    std::string copied;
    std::string_view lasting;  // when not empty, the segment's bytes
    std::string_view bytes() const { return lasting.empty() ? std::string_view(copied) : lasting; }
  };
  void consume(std::size_t bytes);

  std::vector<Segment> segments_;
  std::size_t front_ = 0;       // the first segment not wholly written
  std::size_t front_sent_ = 0;  // bytes of it already written
  std::size_t pending_ = 0;
};

}  // namespace keydir
