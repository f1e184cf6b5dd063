#pragma once
// Runs one function over every item of a batch on several threads and
// keeps the results in the batch's order. Bulk import and the feed
// follower verify records this way: verification is the costly part and
// each record's check is independent of the others.

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace keydir {

// `threads` 0 means one per core. The calling thread takes a share too.
template <typename Out, typename In, typename Fn>
std::vector<Out> mapOnThreads(const std::vector<In>& items, unsigned threads, Fn&& fn) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<Out> results(items.size());
  auto share = [&](unsigned first) {
    for (std::size_t i = first; i < items.size(); i += threads) results[i] = fn(items[i]);
  };
  std::vector<std::thread> workers;
  for (unsigned t = 1; t < threads && t < items.size(); ++t) workers.emplace_back(share, t);
  share(0);
  for (auto& worker : workers) worker.join();
  return results;
}

}  // namespace keydir
