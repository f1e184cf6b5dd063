// Delegated credentials (RFC 9345 wire format, docs/design.md section 4) as a
// registration or a feed record carries them. What parses serializes back
// to the same bytes (every length is explicit, so there is one encoding).
// The parsed credential is then verified twice against a real chain: as
// it came, and re-signed by the leaf, so that the checks after the
// signature (code point against SPKI, validity, the SPKI itself) see the
// fuzzer's fields too.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "certs/credential_verifier.h"
#include "certs/delegated_credential.h"
#include "certs/es256.h"
#include "tests/fuzz/fuzz_pki.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static keydir::fuzz::FuzzPki pki;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto credential = keydir::DelegatedCredential::parse(bytes);
  if (!credential) return 0;
  if (credential->serialize() != bytes) __builtin_trap();

  const keydir::Instant now = pki.clock.now();
  (void)keydir::verifyCredential(bytes, pki.chain, *pki.trust, now, &pki.spc_map);

  auto signature =
      keydir::signDer(pki.leaf_key.get(), keydir::credentialSignedData(pki.leaf(), *credential));
  if (!signature) __builtin_trap();
  credential->signature = *signature;
  auto verified =
      keydir::verifyCredential(credential->serialize(), pki.chain, *pki.trust, now, &pki.spc_map);
  // Signed by the leaf, a refusal can only be about the credential's own
  // fields, never the signature.
  if (!verified && verified.error().code == keydir::ErrorCode::kBadSignature &&
      credential->signature_algorithm == keydir::kEcdsaSecp256r1Sha256) {
    __builtin_trap();
  }
  return 0;
}
