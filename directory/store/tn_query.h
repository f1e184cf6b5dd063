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

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "certs/instant.h"
#include "certs/prefix_block.h"
#include "directory/store/sqlite.h"

namespace keydir {

class TnQuery {
 public:
  // Runs the statement `sql` writes for a query of `kind` about `tn` (it
  // selects shapeCount() as column `count_column`), handing each row to
  // `row`. If the statement's snapshot held a shape the connection had not
  // read, the shapes are read again, `restart` forgets the rows handed so
  // far, and the statement is asked again. `kind` names the block table
  // asked ("key" or "ad"); "spc" asks only the SPC map (spc()).
  static Result<void> forEachRow(Database& db, std::string_view kind, const std::string& tn,
                                 Instant now, const std::function<std::string(const TnQuery&)>& sql,
                                 int count_column, const std::function<void()>& restart,
                                 const std::function<Result<void>(const Statement&)>& row);

  // For the statement's text:
  std::string blocks() const;  // "(?1,...,?n)", for `block IN ...`
  std::string spc() const;     // a scalar subquery: the SPC the map gives the TN, or NULL
  std::string now() const { return "?" + std::to_string(blocks_.size() + spc_blocks_.size() + 1); }
  static std::string shapeCount();  // a column: the shapes the snapshot holds

 private:
  static Result<TnQuery> make(Database& db, std::string_view kind, const std::string& tn);
  void bind(Statement& statement, Instant now) const;

  TnQuery(std::vector<PrefixBlock> blocks, std::vector<PrefixBlock> spc_blocks,
          std::size_t shape_count)
      : blocks_(std::move(blocks)), spc_blocks_(std::move(spc_blocks)), shape_count_(shape_count) {}

  std::vector<PrefixBlock> blocks_;
  std::vector<PrefixBlock> spc_blocks_;
  std::size_t shape_count_;
};

}  // namespace keydir
