#include "certs/credential_issuer.h"

#include <openssl/err.h>

#include "certs/base64.h"
#include "certs/certificate_issuer.h"
#include "certs/jws.h"

namespace keydir {

Result<IssuedCredential> issueCredential(const std::vector<X509Ptr>& chain, EVP_PKEY* leaf_key,
                                         KeyType key_type, std::chrono::seconds valid_for,
                                         Instant now) {
  if (chain.empty()) return fail(ErrorCode::kMalformed, "no certificate given");
  const X509* leaf = chain.front().get();
  if (X509_check_private_key(leaf, leaf_key) != 1) {
    ERR_clear_error();
    return fail(ErrorCode::kMalformed,
                "the private key does not belong to the first certificate of the chain");
  }
  if (valid_for.count() <= 0) {
    return fail(ErrorCode::kMalformed, "validity must be longer than zero seconds");
  }
  Instant not_before = fromAsn1Time(X509_get0_notBefore(leaf));
  Instant not_after = fromAsn1Time(X509_get0_notAfter(leaf));
  if (now < not_before || now >= not_after) {
    return fail(ErrorCode::kMalformed, "the certificate is valid from " + rfc3339(not_before) +
                                           " to " + rfc3339(not_after) + ", not now");
  }
  IssuedCredential issued;
  issued.expires = now + valid_for;
  if (issued.expires > not_after) {
    issued.expires = not_after;
    issued.warnings.push_back("expiry brought back to the certificate's notAfter " +
                              rfc3339(not_after));
  }
  Asn1ObjectPtr delegation(OBJ_txt2obj(std::string(kDelegationUsageOid).c_str(), 1));
  if (X509_get_ext_by_OBJ(leaf, delegation.get(), -1) < 0) {
    issued.warnings.push_back(
        "the certificate lacks DelegationUsage (RFC 9345); directories refuse such credentials "
        "unless their operator turned that policy off");
  }
  issued.private_key = generateKey(key_type);
  auto credential = signCredential(leaf, leaf_key, issued.private_key.get(), issued.expires);
  if (!credential) return std::unexpected(credential.error());
  issued.credential = std::move(*credential);
  return issued;
}

nlohmann::json registrationBody(const DelegatedCredential& credential,
                                const std::vector<X509Ptr>& chain) {
  return {{"dc", base64UrlEncode(credential.serialize())}, {"x5c", x5cStrings(chain)}};
}

}  // namespace keydir
