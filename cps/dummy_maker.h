#pragma once
// Dummy entries, "unique and plausible, never repeated" (RFC 8816 section
// 6.2): each is made from a secret and the place it fills (number, tick,
// slot), so the same slot gives the same bytes every time it is made, in
// this process or another that shares the secret, and two slots never give
// the same bytes. Each JWE is shaped exactly as `keydir encrypt` shapes its
// own (certs/jwe.h): the same header members in the same order, the kid of
// one of the number's keys, an epk on that key's curve, a 12-byte IV, a
// 16-byte tag and a ciphertext of a length real entries had lately.
// Thread-safe: it holds only the secret.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "certs/error.h"
#include "certs/key_pair.h"
#include "cps/entry_store.h"

namespace keydir {

// What a dummy's JWE copies of one of the number's keys.
struct KeyShape {
  std::string kid;
  KeyType type = KeyType::kP256;
};

class DummyMaker {
 public:
  static constexpr std::size_t kSecretBytes = 32;
  // `secret` of kSecretBytes; tests pass a fixed one, servers a random one
  // (or the one their shared store holds).
  explicit DummyMaker(std::string secret);
  // A fresh random secret.
  static std::string randomSecret();

  // The dummy filling `tn`'s `slot` of `tick`: one JWE per shape, each
  // with `ciphertext_bytes` of ciphertext.
  Result<StoredEntry> make(std::string_view tn, long long tick, int slot,
                           const std::vector<KeyShape>& shapes, std::size_t ciphertext_bytes) const;
  // The ciphertext length of that dummy, drawn from `recent` (lengths real
  // entries had lately), or from a fixed spread of PASSporT sizes when none.
  std::size_t lengthFor(std::string_view tn, long long tick, int slot,
                        const std::vector<std::size_t>& recent) const;
  // Seeds the order of `scope`'s entries in `tick`'s answers.
  std::uint64_t orderSeed(std::string_view scope, long long tick) const;
  // One made-up key for a number whose keys nobody named: a P-256 key with
  // a kid as long as a real one, the same for the number every time.
  KeyShape madeUpKey(std::string_view tn) const;

  // A random id for a caller's entry, of the same form as a dummy's.
  static std::string freshId();

 private:
  // 32 bytes of HMAC-SHA-256 under the secret, over a label and the place.
  std::string prf(std::string_view label, std::string_view tn, long long tick, int slot,
                  int index) const;

  std::string secret_;
};

}  // namespace keydir
