#include "directory/store/block_shapes.h"

namespace keydir {

Result<void> noteBlockShape(Database& db, std::string_view kind, const PrefixBlock& block) {
  auto note = db.prepare(
      "INSERT INTO block_shapes(kind, length, prefix_length) VALUES (?1, ?2, ?3)"
      " ON CONFLICT DO NOTHING");
  if (!note) return std::unexpected(note.error());
  return note->bind(1, kind)
      .bind(2, std::int64_t(block.length))
      .bind(3, std::int64_t(block.prefix.size()))
      .run();
}

Result<std::vector<BlockShape>> readBlockShapes(Database& db) {
  auto select = db.prepare("SELECT kind, length, prefix_length FROM block_shapes");
  if (!select) return std::unexpected(select.error());
  std::vector<BlockShape> shapes;
  for (;;) {
    auto row = select->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return shapes;
    shapes.push_back(
        {select->text(0), std::size_t(select->integer(1)), std::size_t(select->integer(2))});
  }
}

std::vector<PrefixBlock> blocksOfShapes(const std::vector<BlockShape>& shapes,
                                        std::string_view kind, const std::string& tn) {
  std::vector<PrefixBlock> blocks;
  for (const BlockShape& shape : shapes) {
    if (shape.kind == kind && shape.length == tn.size() && shape.prefix_length <= tn.size()) {
      blocks.push_back({tn.substr(0, shape.prefix_length), tn.size()});
    }
  }
  return blocks;
}

}  // namespace keydir
