#pragma once
// What the stores need of a SQL engine (docs/design.md section 10): a
// connection, prepared statements with typed binds and reads, and
// transactions that roll back unless committed. SQLite (sqlite.h) and
// PostgreSQL (postgres.h) implement it; each keeps its own dialect (how a
// transaction begins, index hints, placeholders) to itself, and the stores
// above write SQL both accept. A Database is used by one thread at a time;
// the pool gives each thread its own connection.

#include <sqlite3.h>

#include <any>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "certs/error.h"
#include "certs/openssl_ptr.h"

namespace keydir {

using StmtPtr = std::unique_ptr<sqlite3_stmt, Free<&sqlite3_finalize>>;
class PgStatement;

// A prepared statement of either engine. Placeholders are written ?1, ?2...
// A statement borrowed from its connection's cache is reset, with its
// bindings cleared, when this goes.
class Statement {
 public:
  // Owns `stmt` and finalizes it at the end.
  explicit Statement(StmtPtr stmt) : owned_(std::move(stmt)), stmt_(owned_.get()) {}
  explicit Statement(sqlite3_stmt* cached) : stmt_(cached) {}
  explicit Statement(PgStatement* cached) : pg_(cached) {}
  ~Statement();
  Statement(Statement&& other) noexcept
      : owned_(std::move(other.owned_)),
        stmt_(std::exchange(other.stmt_, nullptr)),
        pg_(std::exchange(other.pg_, nullptr)) {}
  Statement& operator=(Statement&&) = delete;
  // Binds by 1-based position; returns *this for chaining.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bindBlob(int index, std::string_view bytes);
  Statement& bindNull(int index);
  // Steps once: true when a row is ready, false when done. kUnavailable on
  // an engine error, with its message.
  Result<bool> step();
  // Steps to completion, for statements that return no rows.
  Result<void> run();
  std::int64_t integer(int column) const;
  std::string text(int column) const;  // text or bytes; an integer as decimal
  bool isNull(int column) const;
  bool isBlob(int column) const;  // bytes, not text
  void reset();

 private:
  StmtPtr owned_;
  sqlite3_stmt* stmt_ = nullptr;
  PgStatement* pg_ = nullptr;
};

// A write transaction takes the engine's write lock when it begins, so that
// writers run one at a time and never deadlock on upgrade; a read
// transaction gives the statements inside it one snapshot.
enum class TransactionKind { kWrite, kRead };

class Database {
 public:
  enum class Engine { kSqlite, kPostgres };
  virtual ~Database() = default;

  virtual Engine engine() const = 0;
  // A statement compiled once per connection and reused: SQL text is the key,
  // so it must not embed values. Bind afresh each time.
  virtual Result<Statement> prepare(std::string_view sql) = 0;
  // As prepare, for a statement whose rows may not fit in memory: they are
  // read in pieces as stepped. Only inside a transaction.
  virtual Result<Statement> prepareStreaming(std::string_view sql) { return prepare(sql); }
  virtual Result<void> execute(std::string_view sql) = 0;  // one or more statements, no rows
  // One statement with no rows and no values in its text, kept compiled
  // where the engine can: BEGIN and COMMIT run on every write.
  virtual Result<void> executeCached(std::string_view sql) = 0;
  // Rows changed by the last statement that wrote.
  virtual std::int64_t changes() = 0;
  virtual bool inTransaction() const = 0;
  virtual bool inWriteTransaction() const = 0;

  // A transaction at the top level (Transaction calls these).
  virtual Result<void> beginTransaction(TransactionKind kind) = 0;
  virtual Result<void> commitTransaction() = 0;
  virtual void rollbackTransaction() = 0;
  // The connection is lost and must not be lent again (the pool drops it).
  virtual bool broken() const { return false; }

  // " INDEXED BY name" where the engine takes a hint and needs it (SQLite's
  // planner chose a scan over a partial index it could not prove usable),
  // nothing elsewhere.
  virtual std::string indexedBy(std::string_view index) const = 0;

  // What a store worked out from the database and keeps with this
  // connection under a name (tn_query.h: the block shapes); the store
  // decides when it is stale.
  std::any& kept(const std::string& name) { return kept_[name]; }
  // Moves when a transaction begins and when one (or a savepoint) rolls
  // back: what a store keeps about the transaction it is in is good while
  // this stands still.
  std::uint64_t transactionEpoch() const { return transaction_epoch_; }
  void newTransactionEpoch() { ++transaction_epoch_; }

  // The pool's count of lost connections when it opened this one: one
  // opened before a loss may have been cut by it too (connection_pool.cc).
  std::uint64_t losses_before_open = 0;

 private:
  std::unordered_map<std::string, std::any> kept_;
  std::uint64_t transaction_epoch_ = 0;
};

// Write transactions this process has committed, through any Database
// (counted once each commit is visible to other connections) or by
// copyPages, and changes other processes made that this one has noticed
// (PostgreSQL: the peer watch). A reader of data that only this process
// writes can tell from an unchanged count that nothing changed since it
// last looked, without asking the database. Read it before looking.
std::uint64_t commitsInThisProcess();
// For writes that bypass statements (the backup API), and for changes
// noticed from elsewhere: call once visible.
void countCommitInThisProcess();

// Inside another transaction on the same connection it is a SAVEPOINT: its
// commit releases the savepoint into the outer transaction, which alone
// makes the work durable, and its rollback undoes only its own part.
// Ends in ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Database& db, TransactionKind kind = TransactionKind::kWrite);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Result<void> begun() const { return begun_; }
  Result<void> commit();

 private:
  Database& db_;
  bool nested_;
  Result<void> begun_;
  bool open_ = false;
};

// SQLite checks the deletion of a row that others refer to against each
// referring table, by reading it whole where no index leads with the
// referring column (key_blocks and key_spcs lead with the block and the
// SPC). While alive, this connection skips those checks, for a caller that
// deletes or rewrites the referring rows itself. SQLite ignores the switch
// inside a transaction, so make this before one begins. On PostgreSQL it
// does nothing: its schema keeps no such reference (postgres_schema.cc).
class ReferencesUnchecked {
 public:
  explicit ReferencesUnchecked(Database& db);
  ~ReferencesUnchecked();
  ReferencesUnchecked(const ReferencesUnchecked&) = delete;
  ReferencesUnchecked& operator=(const ReferencesUnchecked&) = delete;
  Result<void> made() const { return made_; }

 private:
  Database& db_;
  Result<void> made_;
};

}  // namespace keydir
