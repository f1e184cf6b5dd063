#pragma once
// Database connections shared by the server's threads, to a SQLite file or
// a PostgreSQL database. Each request borrows one for its duration; readers
// run beside the one writer (SQLite's WAL; PostgreSQL's snapshots).

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "directory/store/database.h"

namespace keydir {

struct PoolOptions {
  // Connections kept open; a borrower waits for one past this. A few
  // connections with large page caches serve a big file better than one
  // per server thread with small ones: at a million keys, 64 connections
  // with 2 MiB caches spent lookups re-reading the same B-tree pages.
  std::size_t connections = 4;
  std::size_t cache_mib = 64;  // page cache per connection
  std::size_t mmap_mib = 0;    // the file read through a memory map up to this; 0: not
  // A borrower that waited this long opens one more connection anyway, so
  // that nothing can deadlock on the limit.
  std::chrono::milliseconds max_wait{1000};
};

class ConnectionPool {
 public:
  // Opens the first connection at once, so a bad path or an unreachable
  // server fails here. `target` is a file path or a postgresql:// URI.
  static Result<std::unique_ptr<ConnectionPool>> open(const std::string& target,
                                                      const PoolOptions& options = {});

  // A connection of the caller's own, outside the pool: a long read (a
  // snapshot stream) holds none that a lookup is waiting for.
  Result<std::unique_ptr<Database>> openDedicated();

  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Database> db)
        : pool_(pool), owned_(std::move(db)), db_(owned_.get()) {}
    // The thread's pinned connection: not given back at the end.
    Lease(ConnectionPool& pool, Database* pinned) : pool_(pool), db_(pinned) {}
    ~Lease() { pool_.giveBack(std::move(owned_)); }
    Lease(const Lease&) = delete;
    Database& operator*() { return *db_; }
    Database* operator->() { return db_; }
    // Puts `db` in place of a connection the server dropped.
    void replace(std::unique_ptr<Database> db) {
      owned_ = std::move(db);
      db_ = owned_.get();
    }

   private:
    ConnectionPool& pool_;
    std::unique_ptr<Database> owned_;
    Database* db_;
  };

  // A connection for this thread until the lease ends; opens another when
  // all are lent. Throws std::runtime_error if SQLite cannot open one.
  // While the thread holds a Pin, its pinned connection.
  Lease borrow();

  // Gives this thread one connection for every borrow() until the pin
  // ends, so that a transaction begun on it spans the stores' own calls
  // (theirs become savepoints inside it). Not nestable.
  class Pin {
   public:
    explicit Pin(ConnectionPool& pool);
    ~Pin();
    Pin(const Pin&) = delete;
    Database& operator*() { return *lease_; }

   private:
    friend class ConnectionPool;
    ConnectionPool& pool_;
    Lease lease_;
  };

 private:
  ConnectionPool(std::string target, PoolOptions options)
      : target_(std::move(target)), options_(options) {}
  void giveBack(std::unique_ptr<Database> db);
  static Result<std::unique_ptr<Database>> openConnection(const std::string& target,
                                                          const PoolOptions& options);

  std::string target_;
  std::mutex mutex_;
  PoolOptions options_;
  std::vector<std::unique_ptr<Database>> idle_;
  std::condition_variable returned_;
  std::size_t open_ = 0;
  std::uint64_t losses_ = 0;  // connections found cut by the server
  std::map<std::thread::id, Pin*> pinned_;
};

}  // namespace keydir
