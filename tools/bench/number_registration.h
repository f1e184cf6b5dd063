#pragma once
// A registration for one number, as the benchmarks and the crash rounds
// send them: a new P-256 enterprise certificate for `tn` (DelegationUsage,
// 30 days) under `issuer`, and an X25519 delegated credential of 6 days,
// as the {"dc","x5c"} body POST /v1/keys and `keydir import` take.
// Shared by keydir-bench-keys and keydir-crash-load.

#include <chrono>
#include <string>
#include <vector>

#include "certs/certificate_issuer.h"
#include "certs/credential_issuer.h"
#include "certs/key_pair.h"

namespace keydir::bench {

struct NumberRegistration {
  std::vector<X509Ptr> chain;  // the new leaf, then `issuer`
  EvpPkeyPtr key;              // the leaf's
  std::string body;
};

inline Result<NumberRegistration> numberRegistration(const std::string& tn, const X509* issuer,
                                                     EVP_PKEY* issuer_key, Instant now) {
  CertificateRequest request;
  request.common_name = "keydir bench " + tn;
  auto scope = TnScope::number(tn);
  if (!scope) return std::unexpected(scope.error());
  request.tn_auth_list = {*scope};
  request.delegation_usage = true;
  request.not_before = now - std::chrono::hours(1);
  request.not_after = now + std::chrono::hours(24 * 30);
  NumberRegistration registration;
  registration.key = generateKey(KeyType::kP256);
  auto certificate = issueCertificate(request, registration.key.get(), issuer, issuer_key);
  if (!certificate) return std::unexpected(certificate.error());
  registration.chain.push_back(std::move(*certificate));
  X509_up_ref(const_cast<X509*>(issuer));
  registration.chain.emplace_back(const_cast<X509*>(issuer));
  auto issued = issueCredential(registration.chain, registration.key.get(), KeyType::kX25519,
                                std::chrono::hours(24 * 6), now);
  if (!issued) return std::unexpected(issued.error());
  registration.body = registrationBody(issued->credential, registration.chain).dump();
  return registration;
}

}  // namespace keydir::bench
