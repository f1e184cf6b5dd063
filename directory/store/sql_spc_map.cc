#include "directory/store/sql_spc_map.h"

#include <stdexcept>

#include "directory/store/block_shapes.h"

namespace keydir {
namespace {

template <class T>
T orThrow(Result<T> result) {
  if (!result) throw std::runtime_error(result.error().message);
  return std::move(*result);
}

std::vector<SpcAssignment> readAssignments(Statement& statement) {
  std::vector<SpcAssignment> result;
  while (orThrow(statement.step())) {
    auto scope = TnScope::parse(statement.text(0));
    if (scope) result.push_back({std::move(*scope), statement.text(1)});
  }
  return result;
}

}  // namespace

std::string blockPlaceholders(std::size_t count, int first_index) {
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

void bindBlocks(Statement& statement, const std::vector<PrefixBlock>& blocks, int first_index) {
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    statement.bind(first_index + int(i), blocks[i].key());
  }
}

std::optional<std::string> SqlSpcMap::spcOf(Database& db, std::string_view tn,
                                            std::optional<std::int64_t> sequence) {
  auto blocks = orThrow(storedBlocksContaining(db, "spc", std::string(tn), sequence));
  if (blocks.empty()) return std::nullopt;  // no map entry has a block of this TN's shape
  auto statement = orThrow(db.prepare(
      "SELECT m.spc FROM spc_blocks b JOIN spc_map m ON m.scope = b.scope WHERE b.block IN " +
      blockPlaceholders(blocks.size(), 1) + " ORDER BY m.count, m.scope LIMIT 1"));
  bindBlocks(statement, blocks, 1);
  if (!orThrow(statement.step())) return std::nullopt;
  return statement.text(0);
}

std::optional<std::string> SqlSpcMap::spcOf(std::string_view tn) const {
  auto db = pool_.borrow();
  return spcOf(*db, tn);
}

std::vector<SpcAssignment> SqlSpcMap::assignmentsOverlapping(const PrefixBlock& block) const {
  auto db = pool_.borrow();
  // Entries are intervals of one length: overlap is first <= block.last and
  // last >= block.first; the index on (length, first) bounds the scan.
  auto statement = orThrow(
      db->prepare("SELECT scope, spc FROM spc_map WHERE length = ?1 AND first <= ?2 AND last >= ?3"
                  " ORDER BY scope"));
  statement.bind(1, std::int64_t(block.length)).bind(2, block.last()).bind(3, block.first());
  return readAssignments(statement);
}

std::vector<SpcAssignment> SqlSpcMap::assignmentsOf(std::string_view spc) const {
  auto db = pool_.borrow();
  auto statement =
      orThrow(db->prepare("SELECT scope, spc FROM spc_map WHERE spc = ?1 ORDER BY scope"));
  statement.bind(1, spc);
  return readAssignments(statement);
}

}  // namespace keydir
