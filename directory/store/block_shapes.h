#pragma once
// The shapes of the prefix blocks a table holds (schema table block_shapes):
// a TN lookup asks only for the TN's prefixes of a shape that exists.
// Every write of a block notes its shape in the same transaction, so a
// reader never misses a block; a shape is never forgotten, which only costs
// a needless probe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certs/prefix_block.h"
#include "directory/store/sqlite.h"

namespace keydir {

// `kind` names the block table: "key", "ad" or "spc".
Result<void> noteBlockShape(Database& db, std::string_view kind, const PrefixBlock& block);

// The blocks that can hold `tn` and have a shape present in `kind`'s table.
// Inside a read transaction that has read the feed's `sequence`, pass it:
// the shapes are then read once per connection and sequence, not on every
// lookup.
Result<std::vector<PrefixBlock>> storedBlocksContaining(
    Database& db, std::string_view kind, const std::string& tn,
    std::optional<std::int64_t> sequence = std::nullopt);

}  // namespace keydir
