#include "directory/store/database.h"

#include <atomic>

#include "directory/store/postgres.h"

namespace keydir {

Statement::~Statement() {
  if (pg_) pg_->reset();
  if (stmt_ && !owned_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (pg_)
    pg_->bind(index, std::to_string(value), false);
  else
    sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  if (pg_)
    pg_->bind(index, std::string(text), false);
  else
    sqlite3_bind_text(stmt_, index, text.data(), int(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bindBlob(int index, std::string_view bytes) {
  if (pg_)
    pg_->bind(index, std::string(bytes), true);
  else
    sqlite3_bind_blob(stmt_, index, bytes.data(), int(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bindNull(int index) {
  if (pg_)
    pg_->bindNull(index);
  else
    sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::step() {
  if (pg_) return pg_->step();
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return fail(ErrorCode::kUnavailable,
              std::string("storage: step: ") + sqlite3_errmsg(sqlite3_db_handle(stmt_)));
}

Result<void> Statement::run() {
  if (pg_ && pg_->deferrable()) return pg_->defer();
  for (;;) {
    auto row = step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return {};
  }
}

std::int64_t Statement::integer(int column) const {
  return pg_ ? pg_->integer(column) : sqlite3_column_int64(stmt_, column);
}

std::string Statement::text(int column) const {
  if (pg_) return pg_->text(column);
  const void* data = sqlite3_column_blob(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  return data ? std::string(static_cast<const char*>(data), std::size_t(size)) : std::string();
}

bool Statement::isNull(int column) const {
  return pg_ ? pg_->isNull(column) : sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

bool Statement::isBlob(int column) const {
  return pg_ ? pg_->isBlob(column) : sqlite3_column_type(stmt_, column) == SQLITE_BLOB;
}

void Statement::reset() {
  if (pg_) {
    pg_->reset();
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

namespace {
std::atomic<std::uint64_t> commits_in_this_process{0};
}  // namespace

std::uint64_t commitsInThisProcess() {
  return commits_in_this_process.load(std::memory_order_acquire);
}

void countCommitInThisProcess() { commits_in_this_process.fetch_add(1, std::memory_order_release); }

Transaction::Transaction(Database& db, TransactionKind kind)
    : db_(db),
      nested_(db.inTransaction()),
      begun_(nested_ ? db.executeCached("SAVEPOINT nested") : db.beginTransaction(kind)) {
  open_ = begun_.has_value();
  if (!nested_) db.newTransactionEpoch();
}

Transaction::~Transaction() {
  if (!open_) return;
  db_.newTransactionEpoch();
  if (nested_)
    (void)db_.execute("ROLLBACK TO nested; RELEASE nested");
  else
    db_.rollbackTransaction();
}

Result<void> Transaction::commit() {
  auto ok = nested_ ? db_.executeCached("RELEASE nested") : db_.commitTransaction();
  if (ok) open_ = false;
  return ok;
}

ReferencesUnchecked::ReferencesUnchecked(Database& db) : db_(db) {
  if (db_.engine() == Database::Engine::kSqlite) made_ = db_.execute("PRAGMA foreign_keys=OFF");
}

ReferencesUnchecked::~ReferencesUnchecked() {
  if (db_.engine() == Database::Engine::kSqlite) (void)db_.execute("PRAGMA foreign_keys=ON");
}

}  // namespace keydir
