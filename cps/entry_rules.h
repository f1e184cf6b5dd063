#pragma once
// What a CPS accepts as one caller's entry (docs/design.md section 13): one
// compact JWE per key of the callee, as `keydir encrypt` makes them, each
// ECDH-ES with A256GCM, a kid and an epk, at most `max_jwe_bytes` each and
// `max_jwes` in all. Nothing is decrypted: the CPS never learns what a
// PASSporT says.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "certs/error.h"

namespace keydir {

struct EntryLimits {
  std::size_t max_jwe_bytes = 8192;
  std::size_t max_jwes = 8;
};

// The JWEs of a store's body: {"jwes": [compact JWE, ..]} as JSON, or one
// compact JWE when `content_type` is application/jose. kMalformed saying
// what the body lacks.
Result<std::vector<std::string>> entryJwesFromBody(std::string_view body,
                                                   std::string_view content_type);

// Checks each JWE; returns the ciphertext length of the first, which is
// what dummies copy. kMalformed naming the JWE (by position) and why.
Result<std::size_t> checkEntryJwes(const std::vector<std::string>& jwes, const EntryLimits& limits);

// {"id":..,"jwes":[..]}: an entry as every answer shows it.
std::string entryJson(std::string_view id, const std::vector<std::string>& jwes);

}  // namespace keydir
