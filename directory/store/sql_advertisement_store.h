#pragma once
// AdvertisementStore on the key store's SQLite file and connections.

#include "directory/store/advertisement_store.h"
#include "directory/store/connection_pool.h"

namespace keydir {

class SqlAdvertisementStore : public AdvertisementStore {
 public:
  // `pool` is the key store's (its schema holds both); it must outlive this.
  explicit SqlAdvertisementStore(ConnectionPool& pool) : pool_(pool) {}

  Result<InsertOutcome> publishAdvertisement(const NewAdvertisement& ad, Instant now) override;
  Result<std::optional<StoredAdvertisement>> findAdvertisement(const std::string& id) override;
  Result<std::vector<StoredCpsEntry>> cpsForTn(const std::string& tn, Instant now) override;

 private:
  ConnectionPool& pool_;
};

}  // namespace keydir
