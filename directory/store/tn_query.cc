#include "directory/store/tn_query.h"

#include "directory/store/block_shapes.h"
#include "directory/store/sql_rows.h"

namespace keydir {
namespace {

constexpr const char* kKeptShapes = "block_shapes";

std::string placeholders(std::size_t count, int first_index) {
  // A list that matches nothing: SQLite takes "()", PostgreSQL does not.
  if (count == 0) return "(NULL)";
  std::string text = "(";
  for (std::size_t i = 0; i < count; ++i) {
    if (i) text += ",";
    text += '?';
    text += std::to_string(first_index + int(i));
  }
  return text + ")";
}

}  // namespace

Result<TnQuery> TnQuery::make(Database& db, std::string_view kind, const std::string& tn) {
  // Inside a write the shapes may include one the transaction added and
  // will not keep: read them for this query only.
  std::vector<BlockShape> read;
  const std::vector<BlockShape>* shapes = &read;
  std::any& kept = db.kept(kKeptShapes);
  if (!db.inWriteTransaction() && kept.has_value()) {
    shapes = std::any_cast<std::vector<BlockShape>>(&kept);
  } else {
    auto fresh = readBlockShapes(db);
    if (!fresh) return std::unexpected(fresh.error());
    if (db.inWriteTransaction()) {
      read = std::move(*fresh);
    } else {
      kept = std::move(*fresh);
      shapes = std::any_cast<std::vector<BlockShape>>(&kept);
    }
  }
  std::vector<PrefixBlock> blocks;
  if (kind != "spc") blocks = blocksOfShapes(*shapes, kind, tn);
  return TnQuery(std::move(blocks), blocksOfShapes(*shapes, "spc", tn), shapes->size());
}

std::string TnQuery::blocks() const { return placeholders(blocks_.size(), 1); }

std::string TnQuery::spc() const {
  if (spc_blocks_.empty()) return "NULL";  // no map entry has a block of this TN's shape
  // The most specific entry of the map (fewest numbers) wins; ties by scope.
  return "(SELECT m.spc FROM spc_blocks b JOIN spc_map m ON m.scope = b.scope"
         " WHERE b.block IN " +
         placeholders(spc_blocks_.size(), 1 + int(blocks_.size())) +
         " ORDER BY m.count, m.scope LIMIT 1)";
}

std::string TnQuery::shapeCount() { return blockShapeCountSql(); }

void TnQuery::bind(Statement& statement, Instant now) const {
  int index = 1;
  for (const PrefixBlock& block : blocks_) statement.bind(index++, block.key());
  for (const PrefixBlock& block : spc_blocks_) statement.bind(index++, block.key());
  statement.bind(index, unixSeconds(now));
}

bool TnQuery::shapesWereCurrent(Database& db, std::int64_t shape_count) const {
  if (std::size_t(shape_count) == shape_count_) return true;
  db.kept(kKeptShapes).reset();
  return false;
}

}  // namespace keydir
