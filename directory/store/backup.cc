#include "directory/store/backup.h"

#include <system_error>

#include "directory/store/sqlite.h"

namespace keydir {
namespace {

std::unexpected<Error> sqliteFailure(sqlite3* db, const std::string& what) {
  return fail(ErrorCode::kUnavailable, what + ": " + sqlite3_errmsg(db));
}

}  // namespace

Result<std::int64_t> copyPages(sqlite3* from, sqlite3* into) {
  sqlite3_backup* backup = sqlite3_backup_init(into, "main", from, "main");
  if (!backup) return sqliteFailure(into, "cannot start the copy");
  // All pages in one step: one read transaction on the source, which in
  // WAL mode blocks no writer, and one consistent copy.
  const int rc = sqlite3_backup_step(backup, -1);
  const std::int64_t pages = sqlite3_backup_pagecount(backup);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    return fail(ErrorCode::kUnavailable, std::string("the copy stopped: ") + sqlite3_errstr(rc));
  }
  // The backup API writes pages without running a statement, so no WAL
  // hook counts it.
  countCommitInThisProcess();
  return pages;
}

Result<BackupReport> backupDatabase(const std::filesystem::path& from,
                                    const std::filesystem::path& to) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(from, error)) {
    return fail(ErrorCode::kNotFound, "no database at " + from.string());
  }
  if (std::filesystem::exists(to, error)) {
    return fail(ErrorCode::kMalformed,
                to.string() + " exists; a backup never overwrites a file, choose another name");
  }
  // Opened read-only and not created: a typo in --db must not make an empty
  // database and back that up.
  sqlite3* raw_source = nullptr;
  int rc = sqlite3_open_v2(from.c_str(), &raw_source, SQLITE_OPEN_READONLY, nullptr);
  SqlitePtr source(raw_source);
  if (rc != SQLITE_OK) return sqliteFailure(raw_source, "cannot open " + from.string());
  sqlite3_busy_timeout(source.get(), 10000);

  const std::filesystem::path partial = to.string() + ".partial";
  std::filesystem::remove(partial, error);
  sqlite3* raw_target = nullptr;
  rc = sqlite3_open_v2(partial.c_str(), &raw_target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                       nullptr);
  SqlitePtr target(raw_target);
  if (rc != SQLITE_OK) return sqliteFailure(raw_target, "cannot create " + partial.string());

  BackupReport report;
  auto pages = copyPages(source.get(), target.get());
  if (!pages) {
    target.reset();
    std::filesystem::remove(partial, error);
    return failWithContext(pages.error(), "backup of " + from.string());
  }
  report.pages = *pages;
  // The copy keeps the source's WAL mode; fold its log in so that one file
  // is the whole backup.
  sqlite3_exec(target.get(), "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
  sqlite3_stmt* raw_check = nullptr;
  sqlite3_prepare_v2(target.get(), "PRAGMA integrity_check", -1, &raw_check, nullptr);
  StmtPtr check(raw_check);
  if (check && sqlite3_step(check.get()) == SQLITE_ROW) {
    report.integrity = reinterpret_cast<const char*>(sqlite3_column_text(check.get(), 0));
  }
  check.reset();
  sqlite3_exec(target.get(), "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr);
  target.reset();
  if (report.integrity != "ok") {
    std::filesystem::remove(partial, error);
    return fail(ErrorCode::kUnavailable,
                "the copy failed its integrity check: " + report.integrity);
  }
  std::filesystem::rename(partial, to, error);
  if (error) {
    return fail(ErrorCode::kUnavailable,
                "cannot name the copy " + to.string() + ": " + error.message());
  }
  report.bytes = std::int64_t(std::filesystem::file_size(to, error));
  return report;
}

}  // namespace keydir
