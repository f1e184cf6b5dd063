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
  while (!thread_.stopping()) {
    if (!listener) {
      if (auto listening = PgChangeListener::listen(target_)) listener = std::move(*listening);
    }
    // Until a notice comes or the poll is due.
    const auto due = std::chrono::steady_clock::now() + poll_;
    for (bool noticed = false; !noticed;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          due - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      const auto slice = std::min(kSlice, left);
      if (!listener) {
        if (!thread_.sleep(slice)) return;
        continue;
      }
      auto waited = listener->wait(slice);
      if (!waited) listener.reset();  // lost: listened for again next round
      noticed = waited && *waited;
      if (thread_.stopping()) return;
    }
    std::int64_t head = -1;
    try {
      if (auto last = store_.lastChange()) head = *last;
    } catch (const std::runtime_error&) {
      // No connection to be had: the database is away.
    }
    if (head < 0 || head != seen) countCommitInThisProcess();
    seen = head;
  }
}

}  // namespace keydir
