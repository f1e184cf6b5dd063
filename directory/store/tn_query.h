#pragma once
// The parameters of a query for what holds one TN (docs/design.md section 10: one
// indexed query over the TN's own prefix blocks, plus its SPC): the blocks
// bind as ?1..?n, the SPC as the next (NULL when the map names none), the
// time as the last. Keys and advertisements are both found this way.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "certs/instant.h"
#include "certs/prefix_block.h"
#include "directory/store/sqlite.h"

namespace keydir {

class TnQuery {
 public:
  // `kind` names the block table asked ("key" or "ad"): only the TN's
  // prefixes of shapes it holds are bound. Begins a read transaction that
  // lasts as long as the query, so that the SPC, the shapes and the
  // caller's own statement see one snapshot and take SQLite's WAL read lock
  // once: three lock round trips through its process-wide VFS mutex were a
  // lookup's main point of contention under load.
  static Result<TnQuery> begin(Database& db, std::string_view kind, const std::string& tn);

  std::string blocks() const;  // "(?1,...,?n)", for `block IN ...`
  std::string spc() const { return "?" + std::to_string(blocks_.size() + 1); }
  std::string now() const { return "?" + std::to_string(blocks_.size() + 2); }
  void bind(Statement& statement, Instant now) const;
  // The feed's last change in this snapshot.
  std::int64_t sequence() const { return sequence_; }

 private:
  TnQuery(std::unique_ptr<Transaction> snapshot, std::int64_t sequence,
          std::vector<PrefixBlock> blocks, std::optional<std::string> spc)
      : snapshot_(std::move(snapshot)),
        sequence_(sequence),
        blocks_(std::move(blocks)),
        spc_(std::move(spc)) {}

  std::unique_ptr<Transaction> snapshot_;
  std::int64_t sequence_;
  std::vector<PrefixBlock> blocks_;
  std::optional<std::string> spc_;
};

}  // namespace keydir
