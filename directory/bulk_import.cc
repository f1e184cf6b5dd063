#include "directory/bulk_import.h"

#include <string>
#include <thread>
#include <vector>

namespace keydir {
namespace {

struct Line {
  std::size_t number;
  std::string text;
};

// Verifies every line of the batch, spread over `threads` threads.
std::vector<Result<NewKey>> prepareBatch(const std::vector<Line>& batch,
                                         const KeyRegistry& registry, Instant now,
                                         unsigned threads) {
  std::vector<Result<NewKey>> prepared(batch.size(), fail(ErrorCode::kUnavailable, "not run"));
  auto work = [&](unsigned first) {
    for (std::size_t i = first; i < batch.size(); i += threads) {
      prepared[i] = registry.prepareKey(batch[i].text, now);
    }
  };
  std::vector<std::thread> workers;
  for (unsigned t = 1; t < threads; ++t) workers.emplace_back(work, t);
  work(0);
  for (auto& worker : workers) worker.join();
  return prepared;
}

}  // namespace

Result<ImportCounts> importKeys(std::istream& in, KeyRegistry& registry, const Clock& clock,
                                const ImportOptions& options) {
  unsigned threads =
      options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  ImportCounts counts;
  std::vector<Line> batch;
  std::string text;
  bool more = true;
  while (more) {
    batch.clear();
    while (batch.size() < options.batch_lines && (more = bool(std::getline(in, text)))) {
      ++counts.lines;
      if (!text.empty()) batch.push_back({counts.lines, std::move(text)});
    }
    if (batch.empty()) continue;
    Instant now = clock.now();
    std::vector<Result<NewKey>> prepared = prepareBatch(batch, registry, now, threads);
    std::vector<NewKey> keys;
    std::vector<std::size_t> key_lines;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (prepared[i]) {
        keys.push_back(std::move(*prepared[i]));
        key_lines.push_back(batch[i].number);
      } else {
        ++counts.refused;
        if (options.on_refused) options.on_refused(batch[i].number, prepared[i].error());
      }
    }
    auto outcomes =
        registry.store().insertKeys(keys, now, registry.policy().max_keys_per_signer_scope);
    if (!outcomes) {
      return failWithContext(outcomes.error(),
                             "storing lines up to " + std::to_string(batch.back().number));
    }
    for (std::size_t i = 0; i < outcomes->size(); ++i) {
      const auto& outcome = (*outcomes)[i];
      if (!outcome) {
        ++counts.refused;
        if (options.on_refused) options.on_refused(key_lines[i], outcome.error());
      } else {
        ++(*outcome == InsertOutcome::kInserted ? counts.imported : counts.already_present);
      }
    }
    if (options.on_progress) options.on_progress(counts);
  }
  return counts;
}

}  // namespace keydir
