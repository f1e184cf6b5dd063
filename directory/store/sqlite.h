#pragma once
// Database on SQLite: one file in WAL mode.

#include <filesystem>
#include <unordered_map>

#include "directory/store/database.h"

namespace keydir {

using SqlitePtr = std::unique_ptr<sqlite3, Free<&sqlite3_close_v2>>;
class SqliteDatabase final : public Database {
 public:
  // Opens (creating if needed) in WAL mode with synchronous=FULL, so that an
  // acknowledged write survives a crash, and a busy timeout for writers.
  // `cache_mib` is SQLite's page cache for this connection; 0 keeps
  // SQLite's default (2 MiB). `mmap_mib` above 0 reads the file through a
  // memory map of up to that size.
  static Result<std::unique_ptr<SqliteDatabase>> open(const std::filesystem::path& file,
                                                      std::size_t cache_mib = 0,
                                                      std::size_t mmap_mib = 0);

  Engine engine() const override { return Engine::kSqlite; }
  std::string indexedBy(std::string_view index) const override {
    return " INDEXED BY " + std::string(index);
  }
  Result<Statement> prepare(std::string_view sql) override;
  Result<void> execute(std::string_view sql) override;
  Result<void> executeCached(std::string_view sql) override;
  std::int64_t changes() override { return sqlite3_changes64(db_.get()); }
  bool inTransaction() const override { return sqlite3_get_autocommit(db_.get()) == 0; }
  bool inWriteTransaction() const override {
    return sqlite3_txn_state(db_.get(), "main") == SQLITE_TXN_WRITE;
  }
  Result<void> beginTransaction(TransactionKind kind) override;
  Result<void> commitTransaction() override;
  void rollbackTransaction() override;
  Result<std::int64_t> userVersion();
  sqlite3* handle() const { return db_.get(); }
  // WAL pages written before this connection checkpoints after a commit
  // (SQLite's wal_autocheckpoint, which the commit counter below replaces
  // and so must do itself); 0 never.
  void setCheckpointPages(int pages) { checkpoint_pages_ = pages; }
  int checkpointPages() const { return checkpoint_pages_; }

 private:
  static int afterCommit(void* self, sqlite3* db, const char* name, int wal_pages);

  // Declared first so statements are finalized before the connection closes.
  SqlitePtr db_;
  std::unordered_map<std::string, StmtPtr> statements_;
  int checkpoint_pages_ = 1000;  // SQLite's own default
};

// How a connection writes while it copies a whole directory in (`keydir
// import`; a cache's first copy, or a fresh snapshot): batch after batch
// of keys land on random pages of large indexes. A larger page cache keeps
// most pages a batch dirties for the next one, and checkpointing only
// every 256 MiB of WAL copies a page that many batches dirtied back into
// the file once, not after each batch. Both for as long as this lives,
// then the connection's own settings again, its cache's pages freed and
// handed back to the system. Nothing on PostgreSQL. (The window took some
// 12% off a 300k import; with a 512 MiB cache, a 1M import spent a fifth
// less time in the kernel and a cache's first copy of it took 13% less
// time: docs/benchmarks.md.)
class BulkCopyWriting {
 public:
  static constexpr int kCheckpointPages = 16384;  // 256 MiB of 16 KiB pages

  // `cache_mib` is the page cache while copying (bulk_copy_cache_mib); 0
  // keeps the connection's own.
  BulkCopyWriting(Database& db, std::size_t cache_mib);
  ~BulkCopyWriting();
  BulkCopyWriting(const BulkCopyWriting&) = delete;
  BulkCopyWriting& operator=(const BulkCopyWriting&) = delete;

 private:
  SqliteDatabase* db_ = nullptr;
  std::int64_t cache_size_ = 0;  // PRAGMA cache_size as it was
  int checkpoint_pages_ = 0;
};

}  // namespace keydir
