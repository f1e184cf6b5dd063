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

namespace {

Result<std::vector<std::int64_t>> readPrefixLengths(Database& db, std::string_view kind,
                                                    std::size_t length) {
  auto shapes =
      db.prepare("SELECT prefix_length FROM block_shapes WHERE kind = ?1 AND length = ?2");
  if (!shapes) return std::unexpected(shapes.error());
  shapes->bind(1, kind).bind(2, std::int64_t(length));
  std::vector<std::int64_t> lengths;
  for (;;) {
    auto row = shapes->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return lengths;
    lengths.push_back(shapes->integer(0));
  }
}

}  // namespace

Result<std::vector<PrefixBlock>> storedBlocksContaining(Database& db, std::string_view kind,
                                                        const std::string& tn,
                                                        std::optional<std::int64_t> sequence) {
  std::vector<std::int64_t> read;
  const std::vector<std::int64_t>* lengths = &read;
  // Not inside a write: it may have added a shape before moving the feed.
  if (sequence && !db.inWriteTransaction()) {
    // Short enough for the string's own buffer: no allocation per lookup.
    Database::Memo& memo = db.memo("bs:" + std::string(kind) + ":" + std::to_string(tn.size()));
    if (memo.sequence != *sequence) {
      auto fresh = readPrefixLengths(db, kind, tn.size());
      if (!fresh) return std::unexpected(fresh.error());
      memo = {*sequence, std::move(*fresh)};
    }
    lengths = &memo.values;
  } else {
    auto fresh = readPrefixLengths(db, kind, tn.size());
    if (!fresh) return std::unexpected(fresh.error());
    read = std::move(*fresh);
  }
  std::vector<PrefixBlock> blocks;
  for (std::int64_t prefix_length : *lengths) {
    if (std::size_t(prefix_length) <= tn.size()) {
      blocks.push_back({tn.substr(0, std::size_t(prefix_length)), tn.size()});
    }
  }
  return blocks;
}

}  // namespace keydir
