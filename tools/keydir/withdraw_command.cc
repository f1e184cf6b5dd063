#include <iostream>
#include <nlohmann/json.hpp>

#include "directory/store/sql_feed_store.h"
#include "directory/store/sql_key_store.h"
#include "tools/keydir/command.h"
#include "tools/keydir/options.h"

namespace keydir::tool {

int runWithdraw(const std::vector<std::string_view>& args) {
  Options options("keydir withdraw ID --db DB --reason TEXT [--kind key|ad|spc]",
                  "Takes a record out of the directory at once, for one that must go before\n"
                  "any CRL says so: it leaves every lookup and enters the change feed as a\n"
                  "removal 'withdrawn' carrying your reason. ID is a key id, an advertisement\n"
                  "id, or an SPC-map entry's scope. Safe while the directory runs.");
  options.positionals(1)
      .value("db", "the directory's SQLite file, or its postgresql:// URI")
      .value("reason", "why, for the feed and the operators after you")
      .value("kind", "key (default), ad or spc");
  if (auto exit = options.parse(args)) return *exit;
  if (!options.has("db")) return options.usageError("--db is required");
  if (!options.has("reason")) return options.usageError("--reason is required");
  std::string kind = options.get("kind").value_or("key");
  auto store = SqlKeyStore::open(*options.get("db"));
  if (!store) return reportError(store.error());
  SqlFeedStore feed((*store)->pool());
  std::string id(options.positional()[0]);
  auto removed = feed.removeRecord(kind, id, "withdrawn", *options.get("reason"), nowInstant());
  if (!removed) return reportError(removed.error());
  if (!*removed) {
    return reportError({ErrorCode::kNotFound,
                        "no " + kind + " " + id + " is in the feed (unknown, or already gone)"});
  }
  printJson(nlohmann::json{{"withdrawn", id}, {"kind", kind}}.dump(2));
  return kExitOk;
}

}  // namespace keydir::tool
