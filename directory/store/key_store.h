#pragma once
// Storage behind the directory (docs/design.md section 10). The SQLite store is one
// implementation; a server database can take its place. Every write is one
// transaction: it happens whole or not at all. Implementations are safe to
// call from many threads at once.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "certs/error.h"
#include "certs/instant.h"
#include "certs/spc_map.h"
#include "certs/tn_scope.h"

namespace keydir {

struct NewKey {
  std::string id;
  std::string dc;  // serialized DelegatedCredential
  Instant expires;
  std::string signer;              // SHA-256 hex of the leaf's public key
  std::vector<TnScope> scopes;     // the leaf's authority
  std::vector<std::string> chain;  // DER certificates, leaf first, as registered
  std::string record;              // the key record JSON, as it will be served
};

struct StoredKey {
  std::string id;
  std::string record;  // key record JSON
  Instant expires;
  std::vector<TnScope> scopes;
  std::optional<Instant> revoked;
};

enum class InsertOutcome { kInserted, kAlreadyPresent };

// The changes after some sequence, as those who keep answers made from the
// store (LookupAnswers) need them: the scopes of every key put or removed,
// up to change `to`. `everything` when an answer anywhere may have changed:
// an SPC-map entry changed (an SPC scope's numbers moved), a key with an
// SPC scope changed, the changes asked for are no longer kept, or there
// were more than asked for.
struct ChangedScopes {
  std::int64_t to = 0;
  bool everything = false;
  bool ads = false;  // an advertisement was put or removed
  std::vector<TnScope> scopes;
};

struct StoreCounts {
  std::int64_t sequence = 0;  // last change number
  std::int64_t keys = 0;      // live: unrevoked and unexpired
  std::int64_t spc_entries = 0;
};

class KeyStore {
 public:
  virtual ~KeyStore() = default;

  // Stores `key` unless one with the same id is there. kTooManyKeys when the
  // signer already has `max_active` live keys for the same scope.
  virtual Result<InsertOutcome> insertKey(const NewKey& key, Instant now,
                                          std::size_t max_active) = 0;
  // Stores many keys in one transaction (bulk import), each under the same
  // rules as insertKey. One outcome per key, in order; an error for the
  // whole batch means nothing of it was stored.
  virtual Result<std::vector<Result<InsertOutcome>>> insertKeys(const std::vector<NewKey>& keys,
                                                                Instant now,
                                                                std::size_t max_active) = 0;
  virtual Result<std::optional<StoredKey>> findKey(const std::string& id) = 0;
  // Live keys whose scope holds canonical `tn` (SPC scopes through the SPC
  // map), most specific first. With `as_of`, also the feed's last change
  // as of the same read.
  virtual Result<std::vector<StoredKey>> keysForTn(const std::string& tn, Instant now,
                                                   std::int64_t* as_of = nullptr) = 0;
  // The feed's last change number. Every write to the live set raises it
  // in its own transaction, whichever process makes it.
  virtual Result<std::int64_t> lastChange() = 0;
  // At most `limit` changes after `since` (see ChangedScopes).
  virtual Result<ChangedScopes> scopesChangedSince(std::int64_t since, std::size_t limit) = 0;
  // Marks a key revoked and spends `jti`; the feed's removal carries
  // `proof`, the revocation accepted. kNotFound for an unknown key,
  // kNotAuthorized for a jti already spent.
  virtual Result<StoredKey> revokeKey(const std::string& id, const std::string& jti,
                                      std::string_view proof, Instant now) = 0;
  // PEM of a chain, or of one certificate, by the SHA-256 hex of its DER.
  virtual Result<std::optional<std::string>> certificatesPem(const std::string& sha256_hex) = 0;

  // Replaces or adds SPC map entries in one transaction; with
  // `replace_all`, entries the import does not name are removed. Each entry
  // added, changed or removed is a change in the feed. `progress` is called
  // now and then with the number done.
  virtual Result<std::size_t> importSpcMap(const std::vector<SpcAssignment>& entries,
                                           const std::function<void(std::size_t)>& progress,
                                           bool replace_all = false) = 0;
  virtual const SpcMap& spcMap() const = 0;

  virtual Result<StoreCounts> counts(Instant now) = 0;
  // A cheap round trip to the storage, for liveness checks: kUnavailable
  // with the reason when it does not answer (no connection to be had
  // included; it does not throw).
  virtual Result<void> ping() = 0;
};

}  // namespace keydir

namespace keydir {

// The address of a chain at the directory (x5u, GET /v1/certs/{hash}):
// SHA-256 hex of its certificates' DER, concatenated leaf first.
std::string chainAddress(const std::vector<std::string>& chain_der);

}  // namespace keydir
