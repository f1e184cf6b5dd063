// Writes one CPS entry for benchmarks, as a caller stores it: a SHAKEN
// PASSporT's worth of text (x5u form, some 450 bytes, as carriers sign
// them) encrypted to two keys of the callee, X25519 and P-256, each JWE
// with a kid as long as a real one: {"jwes": [..]}.
//
//   keydir-bench-entry [PASSPORT_BYTES]

#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "certs/base64.h"
#include "certs/jwe.h"
#include "certs/key_pair.h"

int main(int argc, char** argv) {
  using namespace keydir;
  const std::size_t bytes = argc > 1 ? std::stoul(argv[1]) : 450;
  const std::string passport(bytes, 'p');
  nlohmann::json jwes = nlohmann::json::array();
  for (KeyType type : {KeyType::kX25519, KeyType::kP256}) {
    EvpPkeyPtr key = generateKey(type);
    const std::string kid = base64UrlEncode(std::string(32, char('k' + jwes.size())));
    auto jwe = encryptJwe(passport, key.get(), kid);
    if (!jwe) {
      std::cerr << "keydir-bench-entry: " << jwe.error().message << "\n";
      return 1;
    }
    jwes.push_back(*jwe);
  }
  std::cout << nlohmann::json{{"jwes", jwes}}.dump() << "\n";
  return 0;
}
