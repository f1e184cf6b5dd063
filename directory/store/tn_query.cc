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

std::string TnQuery::shapeCount() { return "(SELECT COUNT(*) FROM block_shapes)"; }

void TnQuery::bind(Statement& statement, Instant now) const {
  int index = 1;
  for (const PrefixBlock& block : blocks_) statement.bind(index++, block.key());
  for (const PrefixBlock& block : spc_blocks_) statement.bind(index++, block.key());
  statement.bind(index, unixSeconds(now));
}

Result<void> TnQuery::forEachRow(Database& db, std::string_view kind, const std::string& tn,
                                 Instant now, const std::function<std::string(const TnQuery&)>& sql,
                                 int count_column, const std::function<void()>& restart,
                                 const std::function<Result<void>(const Statement&)>& row) {
  for (;;) {
    auto query = make(db, kind, tn);
    if (!query) return std::unexpected(query.error());
    auto statement = db.prepare(sql(*query));
    if (!statement) return std::unexpected(statement.error());
    query->bind(*statement, now);
    std::int64_t shape_count = 0;
    for (;;) {
      auto next = statement->step();
      if (!next) return std::unexpected(next.error());
      if (!*next) break;
      shape_count = statement->integer(count_column);
      if (auto ok = row(*statement); !ok) return ok;
    }
    if (std::size_t(shape_count) == query->shape_count_) return {};
    db.kept(kKeptShapes).reset();
    restart();
  }
}

}  // namespace keydir
