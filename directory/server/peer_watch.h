#pragma once
// How a directory process on a shared PostgreSQL database learns of changes
// that other processes write (docs/design.md section 15). Its own writes are
// counted as it commits (commitsInThisProcess()), so its held answers are
// exact for them; for the others it listens for the notice every writing
// transaction sends (LISTEN/NOTIFY) and, when none comes, polls the feed's
// head every `poll`. Whenever the head moves, or the database does not
// answer, it counts a change, so the next lookup catches up with the store
// itself: held answers are at most `poll` behind other processes, and are
// not served unchecked for longer than that while the database is away
// (the lookup's own read then fails, 503).

#include <chrono>
#include <string>

#include "directory/background_thread.h"
#include "directory/store/key_store.h"

namespace keydir {

class PeerWatch {
 public:
  PeerWatch(KeyStore& store, std::string target, std::chrono::milliseconds poll)
      : store_(store), target_(std::move(target)), poll_(poll) {}
  ~PeerWatch() { stop(); }
  PeerWatch(const PeerWatch&) = delete;
  PeerWatch& operator=(const PeerWatch&) = delete;

  void start();
  void stop() { thread_.stop(); }

 private:
  void watch();

  KeyStore& store_;
  std::string target_;
  std::chrono::milliseconds poll_;
  BackgroundThread thread_;
};

}  // namespace keydir
