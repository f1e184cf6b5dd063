#pragma once
// Which keys a number has, as a directory (or a keydir cache) names them,
// so that a dummy holds one JWE per key of the number, as a real entry
// does. Only each key's id and algorithm are used: a dummy is no claim
// about the key, so nothing here is verified. Answers are kept for
// `keep`, and a stale one is used while the directory does not answer.
// Without a directory, each number has one made-up P-256 key. Thread-safe.
//
// Asking a directory which number is being called tells it: an operator
// points the CPS at a keydir cache of its own (docs/design.md section 8).

#include <chrono>
#include <map>
#include <memory>
#include <mutex>

#include "certs/instant.h"
#include "cps/dummy_maker.h"
#include "directory/client/directory_client.h"

namespace keydir {

class NumberKeys {
 public:
  // `directory` may be null. `max_numbers` bounds what is kept.
  NumberKeys(std::unique_ptr<DirectoryClient> directory, const DummyMaker& dummies,
             std::chrono::seconds keep, std::size_t max_numbers = 100000);

  // The number's keys in the directory's order. kUnavailable when the
  // directory does not answer and nothing was kept for the number; a
  // number with no key gets the made-up one.
  Result<std::vector<KeyShape>> of(const std::string& tn, Instant now);

 private:
  struct Known {
    std::vector<KeyShape> shapes;
    Instant fetched;
  };
  Result<std::vector<KeyShape>> ask(const std::string& tn);

  std::unique_ptr<DirectoryClient> directory_;
  const DummyMaker& dummies_;
  std::chrono::seconds keep_;
  std::size_t max_numbers_;
  std::mutex mutex_;
  std::map<std::string, Known> known_;
};

}  // namespace keydir
