#include "directory/directory_service.h"

#include "directory/store/sqlite_key_store.h"

namespace keydir {

std::shared_ptr<void> DirectoryService::holdForEventThread() {
  auto* sqlite = dynamic_cast<SqliteKeyStore*>(store.get());
  if (sqlite == nullptr) return nullptr;
  return std::make_shared<ConnectionPool::Pin>(sqlite->pool());
}

}  // namespace keydir
