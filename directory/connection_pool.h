#pragma once
// SQLite connections shared by the server's threads. Each request borrows
// one for its duration; WAL lets readers run beside the one writer.

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <vector>

#include "directory/sqlite.h"

namespace keydir {

class ConnectionPool {
 public:
  // Opens the first connection at once, so a bad path fails here.
  static Result<std::unique_ptr<ConnectionPool>> open(const std::filesystem::path& file);

  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Database> db) : pool_(pool), db_(std::move(db)) {}
    ~Lease() { pool_.giveBack(std::move(db_)); }
    Lease(const Lease&) = delete;
    Database& operator*() { return *db_; }
    Database* operator->() { return db_.get(); }

   private:
    ConnectionPool& pool_;
    std::unique_ptr<Database> db_;
  };

  // A connection for this thread until the lease ends; opens another when
  // all are lent. Throws std::runtime_error if SQLite cannot open one.
  Lease borrow();

 private:
  explicit ConnectionPool(std::filesystem::path file) : file_(std::move(file)) {}
  void giveBack(std::unique_ptr<Database> db);

  std::filesystem::path file_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Database>> idle_;
};

}  // namespace keydir
