#pragma once
// A thin owning layer over SQLite: a connection, prepared statements with
// typed binds and reads, and transactions that roll back unless committed.
// A Database is used by one thread at a time; the store gives each thread
// its own connection.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "certs/error.h"
#include "certs/openssl_ptr.h"

namespace keydir {

using SqlitePtr = std::unique_ptr<sqlite3, Free<&sqlite3_close_v2>>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, Free<&sqlite3_finalize>>;

class Statement {
 public:
  // Owns `stmt` and finalizes it at the end.
  explicit Statement(StmtPtr stmt) : owned_(std::move(stmt)), stmt_(owned_.get()) {}
  // Borrows a cached statement: resets it and clears its bindings at the end.
  explicit Statement(sqlite3_stmt* cached) : stmt_(cached) {}
  ~Statement();
  Statement(Statement&& other) noexcept
      : owned_(std::move(other.owned_)), stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&&) = delete;
  // Binds by 1-based position; returns *this for chaining.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bindBlob(int index, std::string_view bytes);
  Statement& bindNull(int index);
  // Steps once: true when a row is ready, false when done. kUnavailable on
  // an SQLite error, with its message.
  Result<bool> step();
  // Steps to completion, for statements that return no rows.
  Result<void> run();
  std::int64_t integer(int column) const;
  std::string text(int column) const;
  bool isNull(int column) const;
  void reset();

 private:
  StmtPtr owned_;
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  // Opens (creating if needed) in WAL mode with synchronous=FULL, so that an
  // acknowledged write survives a crash, and a busy timeout for writers.
  // `cache_mib` is SQLite's page cache for this connection; 0 keeps
  // SQLite's default (2 MiB). `mmap_mib` above 0 reads the file through a
  // memory map of up to that size.
  static Result<std::unique_ptr<Database>> open(const std::filesystem::path& file,
                                                std::size_t cache_mib = 0,
                                                std::size_t mmap_mib = 0);

  // A statement compiled once per connection and reused: SQL text is the key,
  // so it must not embed values. Bind afresh each time.
  Result<Statement> prepare(std::string_view sql);
  Result<void> execute(std::string_view sql);  // one or more statements, no rows
  // One statement with no rows and no values in its text, compiled once
  // per connection: BEGIN and COMMIT run on every lookup, and compiling
  // them each time was a measurable part of it.
  Result<void> executeCached(std::string_view sql);
  Result<std::int64_t> userVersion();
  sqlite3* handle() const { return db_.get(); }
  std::int64_t changes() const { return sqlite3_changes64(db_.get()); }
  // WAL pages written before this connection checkpoints after a commit
  // (SQLite's wal_autocheckpoint, which the commit counter below replaces
  // and so must do itself); 0 never.
  void setCheckpointPages(int pages) { checkpoint_pages_ = pages; }
  int checkpointPages() const { return checkpoint_pages_; }

  // Numbers worked out from the file, kept by this connection under a
  // name together with the feed sequence they were read at; the reader
  // uses them only at that same sequence (every write to what they come
  // from moves it), so they are never stale.
  struct Memo {
    std::int64_t sequence = -1;
    std::vector<std::int64_t> values;
  };
  Memo& memo(const std::string& name) { return memos_[name]; }

 private:
  static int afterCommit(void* self, sqlite3* db, const char* name, int wal_pages);

  // Declared first so statements are finalized before the connection closes.
  SqlitePtr db_;
  std::unordered_map<std::string, StmtPtr> statements_;
  int checkpoint_pages_ = 1000;  // SQLite's own default
  std::unordered_map<std::string, Memo> memos_;
};

// Write transactions this process has committed, to any file, through any
// Database (counted once each commit is visible to other connections) or
// by copyPages. A reader of a file that only this process writes can tell
// from an unchanged count that the file has not changed since it last
// looked, without asking SQLite. Read it before looking at the file.
std::uint64_t commitsInThisProcess();
// For writes that bypass statements (the backup API): call once visible.
void countCommitInThisProcess();

// A write transaction begins IMMEDIATE, so that two writers never deadlock
// on upgrade. A read transaction (DEFERRED) gives the statements inside it
// one snapshot and takes the WAL read lock once for all of them.
// Either ends in ROLLBACK on destruction unless commit() succeeded.
enum class TransactionKind { kWrite, kRead };

// Inside another transaction on the same connection it is a SAVEPOINT: its
// commit releases the savepoint into the outer transaction, which alone
// makes the work durable, and its rollback undoes only its own part.
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

}  // namespace keydir
