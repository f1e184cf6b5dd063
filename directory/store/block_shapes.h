#pragma once
// The shapes of the prefix blocks a table holds (schema table block_shapes):
// a TN lookup asks only for the TN's prefixes of a shape that exists
// (tn_query.h). Every write of a block notes its shape in the same
// transaction, so a reader never misses a block. A shape is never
// forgotten, which only costs a needless probe: so the number of rows
// tells whether a set read earlier is still the whole set.

#include <string>
#include <string_view>
#include <vector>

#include "certs/prefix_block.h"
#include "directory/store/sqlite.h"

namespace keydir {

struct BlockShape {
  std::string kind;  // the block table: "key", "ad" or "spc"
  std::size_t length = 0;
  std::size_t prefix_length = 0;
};

// `kind` names the block table: "key", "ad" or "spc".
Result<void> noteBlockShape(Database& db, std::string_view kind, const PrefixBlock& block);

Result<std::vector<BlockShape>> readBlockShapes(Database& db);

// The blocks of `shapes` in `kind`'s table that can hold `tn`.
std::vector<PrefixBlock> blocksOfShapes(const std::vector<BlockShape>& shapes,
                                        std::string_view kind, const std::string& tn);

}  // namespace keydir
