#include "directory/store/tn_query.h"

#include "directory/store/block_shapes.h"
#include "directory/store/feed_log.h"
#include "directory/store/sql_rows.h"
#include "directory/store/sql_spc_map.h"

namespace keydir {

Result<TnQuery> TnQuery::begin(Database& db, std::string_view kind, const std::string& tn) {
  auto snapshot = std::make_unique<Transaction>(db, TransactionKind::kRead);
  if (auto ok = snapshot->begun(); !ok) return std::unexpected(ok.error());
  // Read first: it fixes the snapshot, and the block shapes the connection
  // has kept stand while it has not moved.
  auto position = readFeedPosition(db);
  if (!position) return std::unexpected(position.error());
  const std::int64_t sequence = position->sequence;
  auto spc = SqlSpcMap::spcOf(db, tn, sequence);
  auto blocks = storedBlocksContaining(db, kind, tn, sequence);
  if (!blocks) return std::unexpected(blocks.error());
  return TnQuery(std::move(snapshot), sequence, std::move(*blocks), std::move(spc));
}

std::string TnQuery::blocks() const { return blockPlaceholders(blocks_.size(), 1); }

void TnQuery::bind(Statement& statement, Instant now) const {
  bindBlocks(statement, blocks_, 1);
  const int spc_index = int(blocks_.size()) + 1;
  if (spc_)
    statement.bind(spc_index, *spc_);
  else
    statement.bindNull(spc_index);
  statement.bind(spc_index + 1, unixSeconds(now));
}

}  // namespace keydir
