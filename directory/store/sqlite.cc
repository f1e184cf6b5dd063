#include "directory/store/sqlite.h"

#include <atomic>
#include <mutex>

namespace keydir {
namespace {

std::unexpected<Error> sqliteError(sqlite3* db, std::string_view what) {
  return fail(ErrorCode::kUnavailable,
              std::string("storage: ") + std::string(what) + ": " + sqlite3_errmsg(db));
}

}  // namespace

Statement::~Statement() {
  if (stmt_ && !owned_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), int(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bindBlob(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), int(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqliteError(sqlite3_db_handle(stmt_), "step");
}

Result<void> Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return {};
  }
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::text(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  return data ? std::string(static_cast<const char*>(data), std::size_t(size)) : std::string();
}

bool Statement::isNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

namespace {

// SQLite counts every allocation under one global mutex unless told not
// to; with a connection per server thread that mutex was the hottest lock
// of a lookup. It must be said before SQLite initializes, hence once here.
void configureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& file,
                                                 std::size_t cache_mib, std::size_t mmap_mib) {
  configureSqliteOnce();
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(file.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<Database> db(new Database());
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
  sqlite3_wal_hook(raw, &Database::afterCommit, db.get());
  return db;
}

namespace {
std::atomic<std::uint64_t> commits_in_this_process{0};
}  // namespace

std::uint64_t commitsInThisProcess() {
  return commits_in_this_process.load(std::memory_order_acquire);
}

void countCommitInThisProcess() { commits_in_this_process.fetch_add(1, std::memory_order_release); }

// SQLite calls a connection's WAL hook after each of its commits, once the
// commit is visible to other connections and the write lock is released:
// the moment from which a reader who sees the new count also sees the
// write. The hook is also where SQLite's own automatic checkpoint lives,
// so it checkpoints as that would (passive, past the window).
int Database::afterCommit(void* self, sqlite3* db, const char* name, int wal_pages) {
  countCommitInThisProcess();
  const int window = static_cast<Database*>(self)->checkpoint_pages_;
  if (window > 0 && wal_pages >= window) sqlite3_wal_checkpoint(db, name);
  return SQLITE_OK;
}

Result<Statement> Database::prepare(std::string_view sql) {
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

Result<void> Database::execute(std::string_view sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_.get(), std::string(sql).c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errmsg(db_.get());
    sqlite3_free(message);
    return fail(ErrorCode::kUnavailable, "storage: " + text);
  }
  return {};
}

Result<void> Database::executeCached(std::string_view sql) {
  auto statement = prepare(sql);
  if (!statement) return std::unexpected(statement.error());
  return statement->run();
}

Result<std::int64_t> Database::userVersion() {
  auto stmt = prepare("PRAGMA user_version");
  if (!stmt) return std::unexpected(stmt.error());
  if (auto row = stmt->step(); !row || !*row) return sqliteError(db_.get(), "user_version");
  return stmt->integer(0);
}

Transaction::Transaction(Database& db, TransactionKind kind)
    : db_(db),
      nested_(sqlite3_get_autocommit(db.handle()) == 0),
      begun_(db.executeCached(nested_                           ? "SAVEPOINT nested"
                              : kind == TransactionKind::kWrite ? "BEGIN IMMEDIATE"
                                                                : "BEGIN")) {
  open_ = begun_.has_value();
}

Transaction::~Transaction() {
  if (open_) (void)db_.execute(nested_ ? "ROLLBACK TO nested; RELEASE nested" : "ROLLBACK");
}

Result<void> Transaction::commit() {
  auto ok = db_.executeCached(nested_ ? "RELEASE nested" : "COMMIT");
  if (ok) open_ = false;
  return ok;
}

}  // namespace keydir
