#pragma once
// Issues STIR certificates (RFC 8226) for test PKIs: STI-CA roots and
// intermediates, service-provider and enterprise certificates with a
// TNAuthList, and RFC 9060 delegate CAs; and TLS server certificates for
// demos on loopback. Keys are P-256.

#include <optional>
#include <string>
#include <vector>

#include "certs/error.h"
#include "certs/instant.h"
#include "certs/openssl_ptr.h"
#include "certs/tn_scope.h"

namespace keydir {

inline constexpr std::string_view kDelegationUsageOid = "1.3.6.1.4.1.44363.44";

struct CertificateRequest {
  std::string common_name;
  std::string organization;
  std::vector<TnScope> tn_auth_list;  // empty: no TNAuthList extension
  bool is_ca = false;
  std::optional<int> path_length;  // CAs only
  // Leaves: keyUsage digitalSignature. CAs: keyCertSign and cRLSign, plus
  // digitalSignature when `ca_can_sign` (a service provider that both signs
  // and issues RFC 9060 delegates).
  bool ca_can_sign = false;
  bool delegation_usage = false;  // RFC 9345 DelegationUsage extension
  // A TLS server's names ("IP:127.0.0.1", "DNS:localhost"): set, the
  // certificate also gets extendedKeyUsage serverAuth (a demo's CPS).
  std::vector<std::string> subject_alt_names;
  Instant not_before;
  Instant not_after;
};

// Signs `request` for `subject_key` with `issuer_key`; a null `issuer`
// makes a self-signed certificate. kMalformed if OpenSSL refuses a field.
Result<X509Ptr> issueCertificate(const CertificateRequest& request, EVP_PKEY* subject_key,
                                 const X509* issuer, EVP_PKEY* issuer_key);

// A CRL from `issuer` listing `revoked` serials, valid from `this_update`
// for `validity`.
Result<X509CrlPtr> issueCrl(const X509* issuer, EVP_PKEY* issuer_key,
                            const std::vector<const X509*>& revoked, Instant this_update,
                            std::chrono::seconds validity);

}  // namespace keydir
