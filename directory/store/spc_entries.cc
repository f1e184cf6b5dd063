#include "directory/store/spc_entries.h"

#include "directory/store/block_shapes.h"
#include "directory/store/feed_log.h"

namespace keydir {
namespace {

Result<void> deleteRows(Database& db, const std::string& scope) {
  for (const char* sql :
       {"DELETE FROM spc_blocks WHERE scope = ?1", "DELETE FROM spc_map WHERE scope = ?1"}) {
    auto drop = db.prepare(sql);
    if (!drop) return std::unexpected(drop.error());
    if (auto ok = drop->bind(1, scope).run(); !ok) return ok;
  }
  return {};
}

}  // namespace

Result<bool> putSpcEntry(Database& db, const SpcAssignment& entry, Instant now) {
  std::string scope = entry.scope.toString();
  auto existing = db.prepare("SELECT spc FROM spc_map WHERE scope = ?1");
  if (!existing) return std::unexpected(existing.error());
  auto row = existing->bind(1, scope).step();
  if (!row) return std::unexpected(row.error());
  if (*row) {
    std::string current = existing->text(0);
    existing->reset();
    if (current == entry.spc) return false;
    auto removed = dropSpcEntry(db, scope, "the SPC map now names another SPC", now);
    if (!removed) return std::unexpected(removed.error());
  }
  auto insert = db.prepare(
      "INSERT INTO spc_map(scope, spc, count, length, first, last) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!insert) return std::unexpected(insert.error());
  insert->bind(1, scope).bind(2, entry.spc).bind(3, std::int64_t(entry.scope.count()));
  insert->bind(4, std::int64_t(entry.scope.value().size()))
      .bind(5, entry.scope.value())
      .bind(6, entry.scope.last());
  if (auto ok = insert->run(); !ok) return std::unexpected(ok.error());
  auto add_block =
      db.prepare("INSERT INTO spc_blocks(block, scope) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
  if (!add_block) return std::unexpected(add_block.error());
  for (const auto& block : entry.scope.prefixBlocks()) {
    add_block->reset();
    if (auto ok = add_block->bind(1, block.key()).bind(2, scope).run(); !ok) {
      return std::unexpected(ok.error());
    }
    if (auto ok = noteBlockShape(db, "spc", block); !ok) return std::unexpected(ok.error());
  }
  std::string body = spcItemJson(scope, entry.spc);
  FeedItem item{"spc", scope, {entry.scope}, body, std::nullopt};
  if (auto ok = feedPut(db, item, body, now); !ok) return std::unexpected(ok.error());
  return true;
}

Result<bool> dropSpcEntry(Database& db, const std::string& scope, std::string_view note,
                          Instant now) {
  auto removed = removeFromFeed(db, "spc", scope, "withdrawn", note, now);
  if (!removed) return std::unexpected(removed.error());
  if (!*removed) return false;
  if (auto ok = deleteRows(db, scope); !ok) return std::unexpected(ok.error());
  return true;
}

}  // namespace keydir
