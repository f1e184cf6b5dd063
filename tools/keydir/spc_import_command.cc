#include <iostream>
#include <nlohmann/json.hpp>

#include "directory/server/directory_server.h"
#include "directory/store/sql_key_store.h"
#include "tools/keydir/command.h"
#include "tools/keydir/options.h"

namespace keydir::tool {

int runSpcImport(const std::vector<std::string_view>& args) {
  Options options("keydir spc import FILE --db DB [--replace]",
                  "Loads an SPC map (CSV lines 'scope,spc', scope 1-START-COUNT or 2-TN, '#'\n"
                  "comments) into the directory's database in one transaction: a bad line\n"
                  "imports nothing and names the line. Entries for a scope already present\n"
                  "replace it. With --replace the file is the whole map: entries it lacks are\n"
                  "removed. Each entry added, changed or removed is a change in the feed.\n"
                  "Progress goes to stderr.");
  options.positionals(1)
      .value("db", "the directory's SQLite file, or its postgresql:// URI")
      .flag("replace", "remove the entries the file does not hold");
  if (auto exit = options.parse(args)) return *exit;
  if (!options.has("db")) return options.usageError("--db is required");
  auto store = SqlKeyStore::open(*options.get("db"));
  if (!store) return reportError(store.error());
  auto imported = importSpcMapCsv(
      **store, options.positional()[0],
      [](std::size_t done) { std::cerr << "keydir: spc import: " << done << " entries\n"; },
      options.has("replace"));
  if (!imported) return reportError(imported.error());
  printJson(nlohmann::json{{"imported", *imported}}.dump(2));
  return kExitOk;
}

}  // namespace keydir::tool
