#include "directory/store/block_shapes.h"

namespace keydir {

Result<void> noteBlockShape(Database& db, std::string_view kind, const PrefixBlock& block) {
  auto note = db.prepare(
      "INSERT OR IGNORE INTO block_shapes(kind, length, prefix_length) VALUES (?1, ?2, ?3)");
  if (!note) return std::unexpected(note.error());
  return note->bind(1, kind)
      .bind(2, std::int64_t(block.length))
      .bind(3, std::int64_t(block.prefix.size()))
      .run();
}

Result<std::vector<PrefixBlock>> storedBlocksContaining(Database& db, std::string_view kind,
                                                        const std::string& tn) {
  auto shapes =
      db.prepare("SELECT prefix_length FROM block_shapes WHERE kind = ?1 AND length = ?2");
  if (!shapes) return std::unexpected(shapes.error());
  shapes->bind(1, kind).bind(2, std::int64_t(tn.size()));
  std::vector<PrefixBlock> blocks;
  for (;;) {
    auto row = shapes->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    auto prefix_length = std::size_t(shapes->integer(0));
    if (prefix_length <= tn.size()) blocks.push_back({tn.substr(0, prefix_length), tn.size()});
  }
  return blocks;
}

}  // namespace keydir
