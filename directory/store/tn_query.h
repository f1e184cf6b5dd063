#pragma once
// The SQL that finds what holds one TN (docs/design.md section 10): an
// indexed probe for each of the TN's prefix blocks of a shape the table
// holds, plus its SPC, in one statement. One statement is one snapshot on
// either engine with no transaction around it, and on PostgreSQL one round
// trip, where the four of a transaction (begin, head, query, commit) were a
// lookup's rate.
//
// The shapes are kept with the connection (block_shapes.h) and bound as
// blocks; the statement also selects how many shapes its snapshot holds, so
// that a shape added since they were read is noticed and the query asked
// again. Reading the shapes inside the statement instead cost SQLite a
// sixth of its lookups.
//
// Parameters: the TN's blocks, its blocks in the SPC map, then the time
// (last, so that a statement that does not use it has no gap: PostgreSQL
// cannot type a parameter no statement names).

#include <string>
#include <string_view>
#include <vector>

#include "certs/instant.h"
#include "certs/prefix_block.h"
#include "directory/store/sqlite.h"

namespace keydir {

class TnQuery {
 public:
  // `kind` names the block table asked ("key" or "ad"); "spc" asks only
  // the SPC map (spc()).
  static Result<TnQuery> make(Database& db, std::string_view kind, const std::string& tn);

  std::string now() const { return "?" + std::to_string(blocks_.size() + spc_blocks_.size() + 1); }
  std::string blocks() const;  // "(?1,...,?n)", for `block IN ...`
  std::string spc() const;     // a scalar subquery: the SPC the map gives the TN, or NULL
  // A column for the statement to select; give what it read to shapesWereCurrent.
  static std::string shapeCount();
  void bind(Statement& statement, Instant now) const;
  // Whether the statement's snapshot held the shapes this query bound. If
  // not, a shape was added since they were read: they are read again, and
  // the caller asks again with a new query.
  bool shapesWereCurrent(Database& db, std::int64_t shape_count) const;

 private:
  TnQuery(std::vector<PrefixBlock> blocks, std::vector<PrefixBlock> spc_blocks,
          std::size_t shape_count)
      : blocks_(std::move(blocks)), spc_blocks_(std::move(spc_blocks)), shape_count_(shape_count) {}

  std::vector<PrefixBlock> blocks_;
  std::vector<PrefixBlock> spc_blocks_;
  std::size_t shape_count_;
};

}  // namespace keydir
