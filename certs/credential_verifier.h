#pragma once
// Verifies a delegated credential against its certificate chain (docs/design.md
// sections 3 and 4). The directory runs this at registration and a client
// runs it on every record it receives; neither trusts the other.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "certs/chain_validator.h"
#include "certs/delegated_credential.h"
#include "certs/error.h"
#include "certs/key_pair.h"

namespace keydir {

struct CredentialPolicy {
  // RFC 9345 section 4.1.3 limits a credential's remaining life to 7 days.
  std::chrono::seconds max_validity = std::chrono::hours(24 * 7);
  // Registration checks max_validity; a client reading a record later need not.
  bool check_max_validity = true;
  bool require_delegation_usage = true;
  std::size_t max_chain_length = 5;
};

struct VerifiedCredential {
  DelegatedCredential credential;
  std::string serialized;
  std::string id;  // credentialKeyId(serialized)
  KeyType key_type;
  EvpPkeyPtr public_key;  // the ECDH key
  Instant expires;
  ValidatedChain chain;  // its authority is the key's scope
};

// Errors, each naming what to fix: kMalformed (wire format, SPKI),
// kUnsupportedKey (key or signature algorithm, code point not matching the
// SPKI), kBadSignature (not signed by this leaf), kExpired, kValidityTooLong
// (past the leaf's notAfter, or further ahead than max_validity), and the
// chain errors of validateChain().
Result<VerifiedCredential> verifyCredential(std::string_view serialized,
                                            const std::vector<X509Ptr>& chain,
                                            const TrustStore& trust, Instant now,
                                            const SpcMap* spc_map,
                                            const CredentialPolicy& policy = {});

}  // namespace keydir
