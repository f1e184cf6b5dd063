#include "directory/store/sql_spc_map.h"

#include <stdexcept>

#include "directory/store/tn_query.h"

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

std::optional<std::string> SqlSpcMap::spcOf(std::string_view tn) const {
  auto db = pool_.borrow();
  std::optional<std::string> spc;
  auto read = TnQuery::forEachRow(
      *db, "spc", std::string(tn), Instant{},
      [](const TnQuery& query) { return "SELECT " + query.spc() + ", " + TnQuery::shapeCount(); },
      1, [&] { spc.reset(); },
      [&](const Statement& row) -> Result<void> {
        if (!row.isNull(0)) spc = row.text(0);
        return {};
      });
  if (!read) throw std::runtime_error(read.error().message);
  return spc;
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
