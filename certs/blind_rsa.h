#pragma once
// RSA blind signatures, RFC 9474, the RSABSSA-SHA384-PSS-Deterministic
// variant (what Privacy Pass token type 0x0002 uses, RFC 9578): a client
// blinds a message for a signer's key, the signer signs the blinded
// message without learning the message, and the client unblinds a
// signature that verifies as an ordinary RSASSA-PSS signature (SHA-384,
// MGF1 with SHA-384, 48-byte salt). Written on OpenSSL 3's BIGNUM and EVP;
// every handle is owned as elsewhere in certs/. Thread-safe.

#include <memory>
#include <string>
#include <string_view>

#include "certs/error.h"
#include "certs/openssl_ptr.h"

namespace keydir {

// For tests: the randomness a blinding would draw (RFC 9474 Appendix A
// fixes the salt and the inverse, RFC 9578 Appendix A.2 the salt and the
// blinding factor itself). Real callers leave it out.
struct BlindRandomness {
  std::string salt;  // 48 bytes
  std::string inv;   // the inverse of the blinding factor, big-endian
  std::string r;     // or the blinding factor, big-endian, when inv is empty
};

struct Blinded {
  std::string blinded_msg;  // what goes to the signer, modulus-length bytes
  std::string inv;          // kept by the client for finalize()
};

// RFC 9474 section 4.2 Blind. kMalformed when the message's encoding is not
// invertible modulo n (negligibly rare), kUnsupportedKey for a key that is
// not RSA.
Result<Blinded> blindMessage(const EVP_PKEY* public_key, std::string_view msg,
                             const BlindRandomness* fixed = nullptr);

// RFC 9474 section 4.3 BlindSign: the raw private operation, after checking
// the blinded message is below n (kMalformed), and the result checked
// against the public key before it goes out (kUnavailable if it fails: a
// fault, which must not leak a signature).
Result<std::string> blindSign(const EVP_PKEY* private_key, std::string_view blinded_msg);

// The same signing with what it needs of the key set up once, for an
// issuer that signs many blinded messages with one key (a CPS issuing
// tokens): the OpenSSL context, n and e, and n's Montgomery form for the
// check. Setting those up each time cost a tenth of the private operation.
// sign() works on a copy of the prepared context, so one signer serves
// every thread at once.
class BlindRsaSigner {
 public:
  // kUnsupportedKey for a key that is not an RSA private key.
  static Result<BlindRsaSigner> forKey(const EVP_PKEY* private_key);
  Result<std::string> sign(std::string_view blinded_msg) const;

 private:
  struct Prepared;
  explicit BlindRsaSigner(std::shared_ptr<const Prepared> prepared)
      : prepared_(std::move(prepared)) {}
  std::shared_ptr<const Prepared> prepared_;
};

// RFC 9474 section 4.4 Finalize: unblinds and verifies; kBadSignature when
// the result does not verify.
Result<std::string> finalizeSignature(const EVP_PKEY* public_key, std::string_view msg,
                                      std::string_view blind_sig, std::string_view inv);

// RSASSA-PSS verification of `signature` over `msg` (SHA-384, MGF1-SHA-384,
// salt 48): kBadSignature when it does not verify.
Result<void> verifyBlindRsaSignature(const EVP_PKEY* public_key, std::string_view msg,
                                     std::string_view signature);

// The same verification with its OpenSSL context set up once, for a server
// that checks many signatures of one key (a CPS redeeming tokens): setting
// the context up costs about a third of the RSA operation itself. Each
// verify() works on a copy of the prepared context, so one verifier serves
// every thread at once.
class BlindRsaVerifier {
 public:
  // kUnsupportedKey for a key that is not RSA.
  static Result<BlindRsaVerifier> forKey(const EVP_PKEY* public_key);
  Result<void> verify(std::string_view msg, std::string_view signature) const;

 private:
  explicit BlindRsaVerifier(EvpPkeyCtxPtr prepared) : prepared_(std::move(prepared)) {}
  EvpPkeyCtxPtr prepared_;  // verify-initialised, with PSS's parameters
};

}  // namespace keydir
