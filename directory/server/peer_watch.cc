#include "directory/server/peer_watch.h"

#include "directory/store/database.h"
#include "directory/store/postgres_listener.h"

namespace keydir {

void PeerWatch::start() {
  thread_.start([this] { watch(); });
}

void PeerWatch::watch() {
  // Waits are cut into slices so that a stop is not held up by a long poll.
  constexpr std::chrono::milliseconds kSlice{200};
  std::unique_ptr<PgChangeListener> listener;
  std::int64_t seen = -1;
  auto next_poll = std::chrono::steady_clock::now();
  while (!thread_.stopping()) {
    const auto now = std::chrono::steady_clock::now();
    bool due = now >= next_poll;
    if (due && !listener) {
      if (auto listening = PgChangeListener::listen(target_)) listener = std::move(*listening);
    }
    const auto slice = std::min<std::chrono::milliseconds>(
        kSlice, std::chrono::duration_cast<std::chrono::milliseconds>(next_poll - now));
    if (!due && listener) {
      auto noticed = listener->wait(slice);
      if (!noticed) listener.reset();
      due = noticed && *noticed;
    } else if (!due) {
      if (!thread_.sleep(slice)) break;
    }
    if (!due && std::chrono::steady_clock::now() < next_poll) continue;
    next_poll = std::chrono::steady_clock::now() + poll_;
    std::int64_t head = -1;
    try {
      auto last = store_.lastChange();
      if (last) head = *last;
    } catch (const std::exception&) {
      // No connection to be had: the database is away.
    }
    if (head < 0 || head != seen) countCommitInThisProcess();
    seen = head;
  }
}

}  // namespace keydir
