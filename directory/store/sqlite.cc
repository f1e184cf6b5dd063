#include "directory/store/sqlite.h"

#include <malloc.h>

#include <atomic>
#include <mutex>

namespace keydir {
namespace {

std::unexpected<Error> sqliteError(sqlite3* db, std::string_view what) {
  return fail(ErrorCode::kUnavailable,
              std::string("storage: ") + std::string(what) + ": " + sqlite3_errmsg(db));
}

}  // namespace

namespace {

// Said before SQLite initializes, hence once here:
// - SQLite counts every allocation under one global mutex unless told not
//   to; with a connection per server thread that mutex was the hottest
//   lock of a lookup.
// - A page cache starts with twenty pages allocated in one block. A
//   lookup's `block IN (...)` builds a temporary b-tree, whose cache was
//   that block, taken from the heap and given back to the kernel at the
//   statement's end: a third of a lookup's time in brk, page faults and
//   the TLB flushes of both cores. Pages are now taken one at a time.
void configureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_config(SQLITE_CONFIG_PAGECACHE, nullptr, 0, 0);
  });
}

}  // namespace

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::open(const std::filesystem::path& file,
                                                             std::size_t cache_mib,
                                                             std::size_t mmap_mib) {
  configureSqliteOnce();
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(file.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<SqliteDatabase> db(new SqliteDatabase());
  db->db_.reset(raw);
  if (rc != SQLITE_OK) {
    return fail(ErrorCode::kUnavailable, "cannot open database " + file.string() + ": " +
                                             (raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(raw, 10000);
  // 16 KiB pages, for new files only (the size is fixed once the file has
  // a header, so the pragma must come before WAL is switched on): a key row
  // of ~2.3 KB overflowed a 4 KiB page, and at a million keys every lookup
  // paid the extra page read. 1M-key lookups ~8k -> ~15k/s, the file 40%
  // smaller.
  if (auto ok = db->execute("PRAGMA page_size=16384; PRAGMA journal_mode=WAL; "
                            "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
      !ok) {
    return failWithContext(ok.error(), file.string());
  }
  if (cache_mib > 0) {
    auto ok = db->execute("PRAGMA cache_size=-" + std::to_string(cache_mib * 1024));
    if (!ok) return failWithContext(ok.error(), file.string());
  }
  // Pages read through the map are the kernel's own page cache, shared by
  // every connection and process, and count as file-backed memory, not as
  // the process's own (RssAnon): at a million keys the file no longer
  // needs to be copied into each connection's cache to be read fast.
  if (mmap_mib > 0) {
    auto ok = db->execute("PRAGMA mmap_size=" + std::to_string(mmap_mib * 1024 * 1024));
    if (!ok) return failWithContext(ok.error(), file.string());
  }
  sqlite3_wal_hook(raw, &SqliteDatabase::afterCommit, db.get());
  return db;
}

// SQLite calls a connection's WAL hook after each of its commits, once the
// commit is visible to other connections and the write lock is released:
// the moment from which a reader who sees the new count also sees the
// write. The hook is also where SQLite's own automatic checkpoint lives,
// so it checkpoints as that would (passive, past the window).
int SqliteDatabase::afterCommit(void* self, sqlite3* db, const char* name, int wal_pages) {
  countCommitInThisProcess();
  const int window = static_cast<SqliteDatabase*>(self)->checkpoint_pages_;
  if (window > 0 && wal_pages >= window) sqlite3_wal_checkpoint(db, name);
  return SQLITE_OK;
}

Result<Statement> SqliteDatabase::prepare(std::string_view sql) {
  auto cached = statements_.find(std::string(sql));
  if (cached != statements_.end()) return Statement(cached->second.get());
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db_.get(), sql.data(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw,
                         nullptr) != SQLITE_OK) {
    return sqliteError(db_.get(), "prepare");
  }
  auto [entry, inserted] = statements_.emplace(std::string(sql), StmtPtr(raw));
  return Statement(entry->second.get());
}

Result<void> SqliteDatabase::execute(std::string_view sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_.get(), std::string(sql).c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errmsg(db_.get());
    sqlite3_free(message);
    return fail(ErrorCode::kUnavailable, "storage: " + text);
  }
  return {};
}

Result<void> SqliteDatabase::executeCached(std::string_view sql) {
  auto statement = prepare(sql);
  if (!statement) return std::unexpected(statement.error());
  return statement->run();
}

Result<std::int64_t> SqliteDatabase::userVersion() {
  auto stmt = prepare("PRAGMA user_version");
  if (!stmt) return std::unexpected(stmt.error());
  if (auto row = stmt->step(); !row || !*row) return sqliteError(db_.get(), "user_version");
  return stmt->integer(0);
}

Result<void> SqliteDatabase::beginTransaction(TransactionKind kind) {
  return executeCached(kind == TransactionKind::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
}

Result<void> SqliteDatabase::commitTransaction() { return executeCached("COMMIT"); }

void SqliteDatabase::rollbackTransaction() { (void)execute("ROLLBACK"); }

BulkCopyWriting::BulkCopyWriting(Database& db, std::size_t cache_mib) {
  if (db.engine() != Database::Engine::kSqlite) return;
  auto& sqlite = static_cast<SqliteDatabase&>(db);
  // A connection that cannot say its cache size writes as it is: the copy
  // is slower, not wrong.
  auto size = sqlite.prepare("PRAGMA cache_size");
  if (!size) return;
  auto row = size->step();
  if (!row || !*row) return;
  cache_size_ = size->integer(0);
  size->reset();
  if (cache_mib > 0 && !sqlite.execute("PRAGMA cache_size=-" + std::to_string(cache_mib * 1024))) {
    return;
  }
  db_ = &sqlite;
  checkpoint_pages_ = sqlite.checkpointPages();
  sqlite.setCheckpointPages(kCheckpointPages);
}

BulkCopyWriting::~BulkCopyWriting() {
  if (!db_) return;
  db_->setCheckpointPages(checkpoint_pages_);
  // Shrinking the cache frees the pages past its size; they are the heap's
  // until trimmed, and a serving cache would otherwise keep half a GiB it
  // used only while copying.
  (void)db_->execute("PRAGMA cache_size=" + std::to_string(cache_size_));
  malloc_trim(0);
}

}  // namespace keydir
