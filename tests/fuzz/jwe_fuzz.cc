// Compact JWE as a callee receives it: the header is read and decryption
// refuses, never crashes, for any bytes (the key is fixed; the input
// cannot know it).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "certs/jwe.h"
#include "certs/key_pair.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static keydir::EvpPkeyPtr x25519 = keydir::generateKey(keydir::KeyType::kX25519);
  static keydir::EvpPkeyPtr p256 = keydir::generateKey(keydir::KeyType::kP256);
  std::string_view compact(reinterpret_cast<const char*>(data), size);
  (void)keydir::jweHeader(compact);
  (void)keydir::decryptJwe(compact, x25519.get());
  (void)keydir::decryptJwe(compact, p256.get());
  return 0;
}
