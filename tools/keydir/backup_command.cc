#include <nlohmann/json.hpp>

#include "directory/store/backup.h"
#include "directory/store/postgres.h"
#include "tools/keydir/command.h"
#include "tools/keydir/options.h"

namespace keydir::tool {

int runBackup(const std::vector<std::string_view>& args) {
  Options options(
      "keydir backup --db DB --out FILE",
      "Copies a directory's or a cache's database to FILE through SQLite's online\n"
      "backup API, safe while the server runs: the copy holds every write\n"
      "acknowledged before the backup began. FILE must not exist; it appears only\n"
      "once the copy is whole and has passed PRAGMA integrity_check. Prints\n"
      "{\"out\", \"pages\", \"bytes\", \"integrity\"}. To restore, stop the server and\n"
      "put the copy in place of DB (removing DB-wal and DB-shm).");
  options.value("db", "the SQLite file to copy").value("out", "where the copy goes");
  if (auto exit = options.parse(args)) return *exit;
  if (!options.has("db") || !options.has("out")) {
    return options.usageError("--db and --out are required");
  }
  if (isPostgresTarget(*options.get("db"))) {
    return options.usageError(
        "a PostgreSQL directory is backed up with PostgreSQL's own tools: pg_dump for a "
        "copy, pg_basebackup and WAL archiving for a point in time");
  }
  auto report = backupDatabase(*options.get("db"), *options.get("out"));
  if (!report) return reportError(report.error());
  printJson(nlohmann::json{{"out", *options.get("out")},
                           {"pages", report->pages},
                           {"bytes", report->bytes},
                           {"integrity", report->integrity}}
                .dump(2));
  return kExitOk;
}

}  // namespace keydir::tool
