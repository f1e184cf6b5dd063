// The connection's output (directory/http/output_queue.h): bytes leave in
// the order they were queued, copied or lasting, however little the socket
// takes at a time.
#include "directory/http/output_queue.h"

#include <gtest/gtest.h>

#include <string>

namespace keydir {
namespace {

// A channel whose socket takes at most `room` bytes a call, then none
// until told otherwise.
class NarrowChannel : public Channel {
 public:
  explicit NarrowChannel(std::size_t per_call) : Channel(-1), per_call_(per_call) {}
  IoResult handshake() override { return {IoStatus::kDone}; }
  IoResult read(char*, std::size_t) override { return {IoStatus::kWantRead}; }
  IoResult write(const char* from, std::size_t size) override {
    if (full) return {IoStatus::kWantWrite};
    const std::size_t taken = std::min(size, per_call_);
    received.append(from, taken);
    ++calls;
    return {IoStatus::kDone, taken};
  }
  void shutdownWrite() override {}

  std::string received;
  int calls = 0;
  bool full = false;

 private:
  std::size_t per_call_;
};

void drain(OutputQueue& queue, Channel& channel) {
  while (queue.size() > 0) ASSERT_EQ(queue.writeTo(channel).status, IoStatus::kDone);
}

TEST(OutputQueue, CopiedAndLastingBytesLeaveInOrderWhateverTheSocketTakes) {
  static const std::string kLasting(1000, '.');
  for (std::size_t per_call : {1u, 7u, 999u, 5000u}) {
    OutputQueue queue;
    std::string expected;
    for (int answer = 0; answer < 3; ++answer) {
      std::string head = "head " + std::to_string(answer) + " ";
      queue.append(head);
      queue.appendLasting(kLasting);
      queue.append("\"}");
      expected += head + kLasting + "\"}";
    }
    EXPECT_EQ(queue.size(), expected.size());
    NarrowChannel channel(per_call);
    drain(queue, channel);
    EXPECT_EQ(channel.received, expected) << per_call << " bytes a call";
    EXPECT_EQ(queue.size(), 0u);
  }
}

TEST(OutputQueue, AFullSocketLeavesEverythingQueuedAndSaysSo) {
  OutputQueue queue;
  queue.append("abc");
  NarrowChannel channel(2);
  channel.full = true;
  EXPECT_EQ(queue.writeTo(channel).status, IoStatus::kWantWrite);
  EXPECT_EQ(queue.size(), 3u);
  channel.full = false;
  drain(queue, channel);
  EXPECT_EQ(channel.received, "abc");
}

TEST(OutputQueue, BytesQueuedWhileOthersWaitGoAfterThem) {
  OutputQueue queue;
  NarrowChannel channel(4);
  queue.append("first answer;");
  ASSERT_EQ(queue.writeTo(channel).bytes, 4u);
  queue.appendLasting("LASTING;");
  queue.append("second;");
  drain(queue, channel);
  EXPECT_EQ(channel.received, "first answer;LASTING;second;");
  // Emptied, it takes more as if new.
  queue.append("third");
  drain(queue, channel);
  EXPECT_EQ(channel.received, "first answer;LASTING;second;third");
}

TEST(OutputQueue, ALongBacklogIsWrittenInFullAcrossManySegments) {
  static const std::string kBlock = "|";
  OutputQueue queue;
  NarrowChannel channel(3);
  std::string expected;
  for (int i = 0; i < 500; ++i) {
    queue.append(std::to_string(i));
    queue.appendLasting(kBlock);
    expected += std::to_string(i) + kBlock;
    if (i % 7 == 0) {
      ASSERT_EQ(queue.writeTo(channel).status, IoStatus::kDone);
    }
  }
  drain(queue, channel);
  EXPECT_EQ(channel.received, expected);
}

}  // namespace
}  // namespace keydir
