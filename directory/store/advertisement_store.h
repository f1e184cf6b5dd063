#pragma once
// Storage of CPS advertisements (docs/design.md sections 5 and 10), beside the key
// store and behind an interface for the same reason. Each signer key has at
// most one current advertisement; publishing a newer one replaces it whole,
// in one transaction.

#include <optional>
#include <string>
#include <vector>

#include "advertise/advertisement.h"
#include "certs/error.h"
#include "certs/instant.h"
#include "directory/store/key_store.h"

namespace keydir {

struct NewAdvertisement {
  std::string id;
  std::string jws;
  std::string signer;  // SHA-256 hex of the leaf's public key
  Instant iat;
  std::optional<Instant> exp;
  Instant expires;
  std::vector<CpsEntry> entries;
  std::vector<std::string> chain;  // DER certificates, leaf first
};

struct StoredAdvertisement {
  std::string id;
  std::string jws;
  std::string signer;
  Instant iat;
  std::optional<Instant> exp;
  Instant expires;
  std::string chain_address;  // x5u at the directory
  std::optional<std::string> replaced_by;
};

// One entry that holds a TN, with the advertisement that vouches for it.
struct StoredCpsEntry {
  CpsEntry entry;
  std::string ad_id;
  std::string jws;
  Instant expires;
};

class AdvertisementStore {
 public:
  virtual ~AdvertisementStore() = default;

  // Stores `ad` as its signer's current advertisement, replacing the one
  // before it. kAlreadyPresent for the same JWS again; kExpired (stale) when
  // the signer's current one has the same or a later iat.
  virtual Result<InsertOutcome> publishAdvertisement(const NewAdvertisement& ad, Instant now) = 0;
  virtual Result<std::optional<StoredAdvertisement>> findAdvertisement(const std::string& id) = 0;
  // Entries of current, unexpired advertisements whose scope holds
  // canonical `tn` (SPC scopes through the SPC map), most specific first.
  virtual Result<std::vector<StoredCpsEntry>> cpsForTn(const std::string& tn, Instant now) = 0;
};

}  // namespace keydir
