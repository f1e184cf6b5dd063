#pragma once
// Makes an ECDH key pair and the delegated credential that binds it to a
// STIR certificate, as `keydir credential new` does.

#include <chrono>
#include <string>
#include <vector>

#include "certs/delegated_credential.h"
#include "certs/error.h"
#include "certs/instant.h"
#include "certs/key_pair.h"
#include "certs/openssl_ptr.h"

namespace keydir {

struct IssuedCredential {
  DelegatedCredential credential;
  EvpPkeyPtr private_key;  // the ECDH key; only its owner keeps it
  Instant expires;
  std::vector<std::string> warnings;  // for stderr: clamping, missing DelegationUsage
};

// `chain` is leaf first. kMalformed when `leaf_key` does not belong to the
// leaf, the leaf is not yet or no longer valid, or `valid_for` is not
// positive. An expiry past the leaf's notAfter is brought back to it, with
// a warning.
Result<IssuedCredential> issueCredential(const std::vector<X509Ptr>& chain, EVP_PKEY* leaf_key,
                                         KeyType key_type, std::chrono::seconds valid_for,
                                         Instant now);

// The POST /v1/keys body: {"dc": base64url, "x5c": [base64 DER, leaf first]}.
nlohmann::json registrationBody(const DelegatedCredential& credential,
                                const std::vector<X509Ptr>& chain);

}  // namespace keydir
