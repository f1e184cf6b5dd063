#include "directory/connection_pool.h"

#include <stdexcept>

namespace keydir {

Result<std::unique_ptr<ConnectionPool>> ConnectionPool::open(const std::filesystem::path& file) {
  auto first = Database::open(file);
  if (!first) return std::unexpected(first.error());
  std::unique_ptr<ConnectionPool> pool(new ConnectionPool(file));
  pool->idle_.push_back(std::move(*first));
  return pool;
}

ConnectionPool::Lease ConnectionPool::borrow() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(db));
    }
  }
  auto db = Database::open(file_);
  if (!db) throw std::runtime_error(db.error().message);
  return Lease(*this, std::move(*db));
}

void ConnectionPool::giveBack(std::unique_ptr<Database> db) {
  if (!db) return;
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(db));
}

}  // namespace keydir
