#include "directory/directory_service.h"

#include "directory/store/sql_key_store.h"

namespace keydir {

std::shared_ptr<void> DirectoryService::holdForEventThread() {
  auto* sqlite = dynamic_cast<SqlKeyStore*>(store.get());
  if (sqlite == nullptr) return nullptr;
  return std::make_shared<ConnectionPool::Pin>(sqlite->pool());
}

Result<StoreCounts> DirectoryService::counts(Instant now) {
  constexpr auto kReuseFor = std::chrono::seconds(5);
  auto last = store->lastChange();
  if (!last) return std::unexpected(last.error());
  {
    std::lock_guard lock(counts_mutex_);
    const bool fresh = counts_ && counts_->sequence == *last && now >= counted_at_ &&
                       now - counted_at_ < kReuseFor;
    if (fresh || (counts_ && counting_)) return *counts_;
    counting_ = true;
  }
  auto counted = store->counts(now);
  std::lock_guard lock(counts_mutex_);
  counting_ = false;
  if (!counted) return std::unexpected(counted.error());
  counts_ = *counted;
  counted_at_ = now;
  return counted;
}

}  // namespace keydir
