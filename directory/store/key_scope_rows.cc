#include "directory/store/key_scope_rows.h"

#include <functional>

#include "directory/store/block_shapes.h"

namespace keydir {
namespace {

// Visits each row a key with these scopes is found by: an SPC it names, or
// a prefix block of one of its number ranges with the range's size (the
// block's specificity: fewer numbers is more specific).
Result<void> forEachScopeRow(
    const std::vector<TnScope>& scopes, const std::function<Result<void>(const std::string&)>& spc,
    const std::function<Result<void>(const PrefixBlock&, std::int64_t)>& block) {
  for (const auto& scope : scopes) {
    if (scope.kind() == TnScope::Kind::kSpc) {
      if (auto ok = spc(scope.value()); !ok) return ok;
      continue;
    }
    for (const auto& prefix : scope.prefixBlocks()) {
      if (auto ok = block(prefix, std::int64_t(scope.count())); !ok) return ok;
    }
  }
  return {};
}

}  // namespace

Result<void> storeKeyScopes(Database& db, const std::string& key_id,
                            const std::vector<TnScope>& scopes) {
  auto block = db.prepare(
      "INSERT INTO key_blocks(block, key_id, specificity) "
      "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
  auto spc = db.prepare("INSERT INTO key_spcs(spc, key_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
  if (!block) return std::unexpected(block.error());
  if (!spc) return std::unexpected(spc.error());
  return forEachScopeRow(
      scopes,
      [&](const std::string& code) {
        spc->reset();
        return spc->bind(1, code).bind(2, key_id).run();
      },
      [&](const PrefixBlock& prefix, std::int64_t count) -> Result<void> {
        block->reset();
        if (auto ok = block->bind(1, prefix.key()).bind(2, key_id).bind(3, count).run(); !ok) {
          return ok;
        }
        return noteBlockShape(db, "key", prefix);
      });
}

Result<void> deleteKeyRows(Database& db, const std::string& key_id,
                           const std::vector<TnScope>& scopes) {
  auto block = db.prepare("DELETE FROM key_blocks WHERE block = ?1 AND key_id = ?2");
  auto spc = db.prepare("DELETE FROM key_spcs WHERE spc = ?1 AND key_id = ?2");
  auto key = db.prepare("DELETE FROM keys WHERE id = ?1");
  if (!block) return std::unexpected(block.error());
  if (!spc) return std::unexpected(spc.error());
  if (!key) return std::unexpected(key.error());
  auto scope_rows = forEachScopeRow(
      scopes,
      [&](const std::string& code) {
        spc->reset();
        return spc->bind(1, code).bind(2, key_id).run();
      },
      [&](const PrefixBlock& prefix, std::int64_t) {
        block->reset();
        return block->bind(1, prefix.key()).bind(2, key_id).run();
      });
  if (!scope_rows) return scope_rows;
  return key->bind(1, key_id).run();
}

}  // namespace keydir
