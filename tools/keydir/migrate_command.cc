#include <iostream>
#include <nlohmann/json.hpp>

#include "directory/store/migrate.h"
#include "directory/store/postgres.h"
#include "tools/keydir/command.h"
#include "tools/keydir/options.h"

namespace keydir::tool {

int runMigrate(const std::vector<std::string_view>& args) {
  Options options(
      "keydir migrate --from FILE --to URI",
      "Copies a SQLite directory whole into an empty PostgreSQL database (docs/design.md\n"
      "section 15): records, certificates, the SPC map, the retained changes with\n"
      "their digests, the bucket index and the feed's sequence, so that caches\n"
      "following the old directory carry on from the new one without a new\n"
      "snapshot. The file is read in one snapshot (the directory may keep serving,\n"
      "but stop its writes first: later ones are not copied). The copy is one\n"
      "transaction, and it is kept only if every table's rows and the feed's\n"
      "sequence and digests agree at both ends. Refuses a database that already\n"
      "holds records. Prints each table's rows, the sequence and the digest.");
  options.value("from", "the directory's SQLite file")
      .value("to", "postgresql:// URI of an empty database (libpq settings apply)");
  if (auto exit = options.parse(args)) return *exit;
  if (!options.has("from") || !options.has("to")) {
    return options.usageError("--from and --to are required");
  }
  auto report = migrateToPostgres(*options.get("from"), *options.get("to"),
                                  [](const std::string& step, std::int64_t rows) {
                                    std::cerr << "keydir: migrate: " << step;
                                    if (rows > 0) std::cerr << ": " << rows << " rows copied";
                                    std::cerr << "\n";
                                  });
  if (!report) return reportError(report.error());
  nlohmann::json tables = nlohmann::json::object();
  for (const auto& table : report->tables) tables[table.name] = table.rows;
  printJson(nlohmann::json{{"to", redactedTarget(*options.get("to"))},
                           {"tables", tables},
                           {"sequence", report->sequence},
                           {"digest", report->digest}}
                .dump(2));
  return kExitOk;
}

}  // namespace keydir::tool
