#pragma once
// Issuer paths that have already passed full path validation against one
// trust store. Registrations arrive by the thousand under a few
// intermediates; once [leaf, issuers...] has validated in full, a later
// leaf presenting the same issuers needs only its own step checked (its
// signature by the issuer, its validity, its revocation by the issuer's
// CRL), with the verified issuer as a partial-chain anchor. That saves an
// ECDSA verification per certificate above the leaf's issuer.
//
// A remembered path is offered only while `at` lies within every
// certificate's validity on it and within every CRL's update window, and
// is never remembered when a certificate above the leaf's issuer carries
// nameConstraints (a partial chain would not apply them to the leaf).
// Whatever the short check refuses goes through full validation again, so
// answers and errors are the same with or without this cache.

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "certs/instant.h"
#include "certs/openssl_ptr.h"

namespace keydir {

class VerifiedIssuers {
 public:
  struct Path {
    std::vector<X509Ptr> issuers;  // as verified: the leaf's issuer first, anchor last
    // The leaf's issuer as the only anchor, with the trust store's CRLs.
    X509StorePtr leaf_step_store;
    Instant valid_from;
    Instant valid_until;
  };

  // The path remembered for the issuers `chain` presents after its leaf,
  // if one is and `at` falls inside its window.
  std::shared_ptr<const Path> find(const std::vector<X509Ptr>& chain, Instant at) const;

  // After `chain` validated in full to `verified` (leaf first, anchor last)
  // against `trust`. Does nothing when the path may not be shortened.
  void remember(const std::vector<X509Ptr>& chain, const std::vector<X509Ptr>& verified,
                X509_STORE* trust);

 private:
  static constexpr std::size_t kMaxPaths = 1024;

  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Path>> paths_;
};

}  // namespace keydir
