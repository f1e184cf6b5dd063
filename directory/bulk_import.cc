#include "directory/bulk_import.h"

#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "directory/on_threads.h"

namespace keydir {
namespace {

struct Line {
  std::size_t number;
  std::string text;
};

struct Batch {
  std::vector<Line> lines;
  std::size_t last_line = 0;  // number of the last line read, empty ones included
  Instant now;
};

// Reads up to `limit` non-empty lines after line `after`.
Batch readBatch(std::istream& in, std::size_t limit, std::size_t after, const Clock& clock) {
  Batch batch{{}, after, clock.now()};
  std::string text;
  while (batch.lines.size() < limit && std::getline(in, text)) {
    ++batch.last_line;
    if (!text.empty()) batch.lines.push_back({batch.last_line, std::move(text)});
  }
  return batch;
}

}  // namespace

Result<ImportCounts> importKeys(std::istream& in, KeyRegistry& registry, const Clock& clock,
                                const ImportOptions& options) {
  unsigned threads =
      options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  ImportCounts counts;
  // Storing is one writer; verifying uses every core. The next batch is
  // verified while the current one is stored, so neither waits on the other.
  // Each batch is shared with the task verifying it, so it lives as long
  // as either needs it.
  auto verify = [&registry, threads](std::shared_ptr<const Batch> batch) {
    return std::async(std::launch::async, [&registry, batch, threads] {
      return mapOnThreads<Result<NewKey>>(batch->lines, threads, [&](const Line& line) {
        return registry.prepareKey(line.text, batch->now);
      });
    });
  };
  auto read = [&](std::size_t after) {
    return std::make_shared<const Batch>(readBatch(in, options.batch_lines, after, clock));
  };
  std::shared_ptr<const Batch> current = read(0);
  auto verified = verify(current);
  while (!current->lines.empty()) {
    std::vector<Result<NewKey>> prepared = verified.get();
    std::shared_ptr<const Batch> next = read(current->last_line);
    if (!next->lines.empty()) verified = verify(next);

    std::vector<NewKey> keys;
    std::vector<std::size_t> key_lines;
    for (std::size_t i = 0; i < current->lines.size(); ++i) {
      if (prepared[i]) {
        keys.push_back(std::move(*prepared[i]));
        key_lines.push_back(current->lines[i].number);
      } else {
        ++counts.refused;
        if (options.on_refused) options.on_refused(current->lines[i].number, prepared[i].error());
      }
    }
    auto outcomes = registry.store().insertKeys(keys, current->now,
                                                registry.policy().max_keys_per_signer_scope);
    if (!outcomes) {
      if (verified.valid()) verified.wait();
      return failWithContext(outcomes.error(),
                             "storing lines up to " + std::to_string(current->lines.back().number));
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
    counts.lines = current->last_line;  // progress counts stored lines, not read-ahead
    if (options.on_progress) options.on_progress(counts);
    current = next;
  }
  counts.lines = current->last_line;  // trailing empty lines too
  return counts;
}

}  // namespace keydir
