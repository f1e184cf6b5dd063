#include "directory/store/connection_pool.h"

#include <stdexcept>

#include "directory/store/postgres.h"
#include "directory/store/sqlite.h"

namespace keydir {

Result<std::unique_ptr<ConnectionPool>> ConnectionPool::open(const std::string& target,
                                                             const PoolOptions& options) {
  auto first = openConnection(target, options);
  if (!first) return std::unexpected(first.error());
  std::unique_ptr<ConnectionPool> pool(new ConnectionPool(target, options));
  pool->idle_.push_back(std::move(*first));
  pool->open_ = 1;
  return pool;
}

Result<std::unique_ptr<Database>> ConnectionPool::openConnection(const std::string& target,
                                                                 const PoolOptions& options) {
  if (isPostgresTarget(target)) {
    auto db = PgDatabase::connect(target);
    if (!db) return std::unexpected(db.error());
    return std::unique_ptr<Database>(std::move(*db));
  }
  auto db = SqliteDatabase::open(target, options.cache_mib, options.mmap_mib);
  if (!db) return std::unexpected(db.error());
  return std::unique_ptr<Database>(std::move(*db));
}

Result<std::unique_ptr<Database>> ConnectionPool::openDedicated() {
  PoolOptions own = options_;
  own.cache_mib = 8;
  return openConnection(target_, own);
}

ConnectionPool::Pin::Pin(ConnectionPool& pool) : pool_(pool), lease_(pool.borrow()) {
  std::lock_guard lock(pool_.mutex_);
  pool_.pinned_[std::this_thread::get_id()] = this;
}

ConnectionPool::Pin::~Pin() {
  std::lock_guard lock(pool_.mutex_);
  pool_.pinned_.erase(std::this_thread::get_id());
}

ConnectionPool::Lease ConnectionPool::borrow() {
  std::uint64_t losses = 0;
  {
    std::unique_lock lock(mutex_);
    if (auto pinned = pinned_.find(std::this_thread::get_id()); pinned != pinned_.end()) {
      Pin& pin = *pinned->second;
      // A pinned connection the server dropped (the database restarted)
      // is replaced, or the thread would fail every request from then on;
      // so is one opened before another was found dropped, which the same
      // restart will have cut though nothing has used it since (never in
      // the middle of a transaction, which would then be lost unseen).
      Database& held = *pin.lease_;
      const bool suspect = held.losses_before_open < losses_ && !held.inTransaction();
      if (held.broken() || suspect) {
        if (held.broken()) ++losses_;
        const std::uint64_t now_lost = losses_;
        lock.unlock();
        auto fresh = openConnection(target_, options_);
        if (!fresh) throw std::runtime_error(fresh.error().message);
        (*fresh)->losses_before_open = now_lost;
        pin.lease_.replace(std::move(*fresh));
      }
      return Lease(*this, &*pin.lease_);
    }
    if (idle_.empty() && open_ >= options_.connections) {
      returned_.wait_for(lock, options_.max_wait, [&] { return !idle_.empty(); });
    }
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(db));
    }
    ++open_;
    losses = losses_;
  }
  auto db = openConnection(target_, options_);
  if (!db) {
    std::lock_guard lock(mutex_);
    --open_;
    throw std::runtime_error(db.error().message);
  }
  (*db)->losses_before_open = losses;
  return Lease(*this, std::move(*db));
}

void ConnectionPool::giveBack(std::unique_ptr<Database> db) {
  if (!db) return;
  // Closed as the function returns, after the lock is released.
  std::vector<std::unique_ptr<Database>> closing;
  {
    std::lock_guard lock(mutex_);
    // A connection the server dropped is closed, not lent again; the next
    // borrower opens a fresh one. The idle ones went with it (a database
    // restarted cuts them all), and each would fail one request more.
    if (db->broken()) {
      ++losses_;
      open_ -= 1 + idle_.size();
      closing = std::move(idle_);
      idle_.clear();
      return;
    }
    // Lent out when another was found dropped: closed too.
    if (db->losses_before_open < losses_) {
      --open_;
      return;
    }
    // Past the limit (a borrower gave up waiting): close this one, which
    // happens as the function returns, after the lock is released.
    if (open_ > options_.connections) {
      --open_;
      return;
    }
    idle_.push_back(std::move(db));
  }
  returned_.notify_one();
}

}  // namespace keydir
