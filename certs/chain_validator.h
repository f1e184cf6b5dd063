#pragma once
// Chain validation (docs/design.md section 3): OpenSSL path validation to a
// configured anchor at a given time, CRLs when configured, keyUsage
// digitalSignature on the leaf, a TNAuthList on the leaf, and RFC 9060
// encompassment of every TNAuthList by the nearest one above it.

#include <vector>

#include "certs/error.h"
#include "certs/instant.h"
#include "certs/openssl_ptr.h"
#include "certs/spc_map.h"
#include "certs/tn_scope.h"
#include "certs/trust_store.h"

namespace keydir {

struct ChainPolicy {
  std::size_t max_chain_length = 5;  // certificates supplied, leaf included
  // Require RFC 9345 DelegationUsage on the leaf (for delegated credentials).
  bool require_delegation_usage = false;
};

struct ValidatedChain {
  std::vector<X509Ptr> certificates;  // as verified: leaf first, anchor last
  std::vector<TnScope> authority;     // the leaf's TNAuthList
  Instant leaf_not_before;
  Instant leaf_not_after;
  const X509* leaf() const { return certificates.front().get(); }
};

// Validates `chain` (leaf first; further certificates are candidates for
// the path) at `at`.
// Errors: kMalformed (empty, too long, undecodable TNAuthList),
// kExpired (a certificate outside its validity at `at`), kUntrustedChain
// (no path to an anchor, revoked, bad signature, missing keyUsage or
// TNAuthList, a delegate claiming more than its issuer), kNotAuthorized
// (DelegationUsage required and absent).
Result<ValidatedChain> validateChain(const std::vector<X509Ptr>& chain, const TrustStore& trust,
                                     Instant at, const SpcMap* spc_map,
                                     const ChainPolicy& policy = {});

// Copies of certificates (reference counts), e.g. to keep a chain.
std::vector<X509Ptr> copyChain(const std::vector<X509Ptr>& chain);

}  // namespace keydir
