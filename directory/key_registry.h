#pragma once
// The directory's rules for keys (docs/design.md sections 4 and 6), apart from HTTP:
// registration verifies everything before storing; lookup answers only live
// keys; revocation needs a fresh, signed request from someone whose
// authority covers the key. Safe to call from many threads.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "certs/credential_verifier.h"
#include "certs/trust_store.h"
#include "directory/store/key_store.h"

namespace keydir {

struct KeyPolicy {
  CredentialPolicy credential;
  std::size_t max_keys_per_signer_scope = 4;
  std::chrono::seconds revocation_window{300};
  std::string public_url = "http://127.0.0.1:8080";  // base of x5u, no trailing slash
};

struct Registration {
  std::string id;
  std::string record;  // key record JSON
  bool created;        // false when the same credential was already there
};

struct TnKeys {
  std::string tn;               // canonical
  std::vector<StoredKey> keys;  // most specific first
  std::int64_t as_of = 0;       // the feed's last change as of the answer
};

class KeyRegistry {
 public:
  KeyRegistry(KeyStore& store, const TrustStore& trust, KeyPolicy policy)
      : store_(store), trust_(trust), policy_(std::move(policy)) {}

  // `body` is {"dc": base64url, "x5c": [base64 DER, leaf first]}.
  // Errors: kMalformed for the body, then those of verifyCredential() and
  // KeyStore::insertKey().
  Result<Registration> registerKey(std::string_view body, Instant now);

  // Everything registerKey() checks, without storing: the key ready for
  // KeyStore::insertKey(s). Bulk import runs this on many threads.
  Result<NewKey> prepareKey(std::string_view body, Instant now) const;

  // A registered key, live or not; kNotFound if unknown.
  Result<StoredKey> key(const std::string& id);

  // kInvalidTn for a bad number; otherwise live keys, possibly none.
  Result<TnKeys> lookup(std::string_view tn, Instant now);

  // `jws` is a compact ES256 JWS with x5c and payload {"sub","iat","jti"}.
  // Errors: those of verifyJws(), kMalformed for the payload, kExpired for
  // an iat outside the window, kNotAuthorized when the signer's authority
  // does not cover the key or the jti was used, kNotFound.
  Result<StoredKey> revoke(const std::string& id, std::string_view jws, Instant now);

  KeyStore& store() { return store_; }
  const KeyPolicy& policy() const { return policy_; }

 private:
  KeyStore& store_;
  const TrustStore& trust_;
  KeyPolicy policy_;
};

}  // namespace keydir
