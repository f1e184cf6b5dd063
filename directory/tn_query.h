#pragma once
// The parameters of a query for what holds one TN (DESIGN section 10: one
// indexed query over the TN's own prefix blocks, plus its SPC): the blocks
// bind as ?1..?n, the SPC as the next (NULL when the map names none), the
// time as the last. Keys and advertisements are both found this way.

#include <optional>
#include <string>
#include <vector>

#include "certs/instant.h"
#include "certs/prefix_block.h"
#include "directory/sqlite.h"

namespace keydir {

class TnQuery {
 public:
  // `kind` names the block table asked ("key" or "ad"): only the TN's
  // prefixes of shapes it holds are bound.
  static Result<TnQuery> build(Database& db, std::string_view kind, const std::string& tn,
                               std::optional<std::string> spc);

  std::string blocks() const;  // "(?1,...,?n)", for `block IN ...`
  std::string spc() const { return "?" + std::to_string(blocks_.size() + 1); }
  std::string now() const { return "?" + std::to_string(blocks_.size() + 2); }
  void bind(Statement& statement, Instant now) const;

 private:
  TnQuery(std::vector<PrefixBlock> blocks, std::optional<std::string> spc)
      : blocks_(std::move(blocks)), spc_(std::move(spc)) {}

  std::vector<PrefixBlock> blocks_;
  std::optional<std::string> spc_;
};

}  // namespace keydir
