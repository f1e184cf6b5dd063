#pragma once
// Concurrency tests: the same work from several threads at once.

#include <functional>
#include <thread>
#include <vector>

namespace keydir::testing {

// Runs `round` `rounds` times on each of `threads` threads at once, and
// returns when all are done.
inline void onThreads(int threads, int rounds, const std::function<void()>& round) {
  std::vector<std::thread> running;
  for (int thread = 0; thread < threads; ++thread) {
    running.emplace_back([&] {
      for (int at = 0; at < rounds; ++at) round();
    });
  }
  for (auto& thread : running) thread.join();
}

}  // namespace keydir::testing
