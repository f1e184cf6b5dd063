#include "advertise/advertisement_signer.h"

#include <openssl/x509.h>

#include "certs/jws.h"

namespace keydir {

Result<std::string> signAdvertisement(const AdvertisementContent& content, EVP_PKEY* key,
                                      const std::vector<X509Ptr>& chain) {
  if (chain.empty())
    return fail(ErrorCode::kMalformed, "an advertisement needs the signer's chain");
  if (auto ok = checkCpsEntries(content.entries); !ok) return std::unexpected(ok.error());
  X509* leaf = chain.front().get();
  if (X509_check_private_key(leaf, key) != 1) {
    return fail(ErrorCode::kBadSignature,
                "the private key does not belong to the leaf certificate of the chain");
  }
  nlohmann::json header = {{"typ", "cps-ad"}, {"iat", content.iat.time_since_epoch().count()}};
  if (content.exp) {
    Instant not_after = fromAsn1Time(X509_get0_notAfter(leaf));
    Instant exp = std::min(*content.exp, not_after);
    if (exp <= content.iat) {
      return fail(ErrorCode::kMalformed, "advertisement exp " + rfc3339(exp) +
                                             " is not after its iat " + rfc3339(content.iat));
    }
    header["exp"] = exp.time_since_epoch().count();
  }
  return signJws(std::move(header), advertisementPayload(content.entries), key, chain);
}

}  // namespace keydir
