// The bodies a client writes to the directory (docs/design.md section 6), each
// through the directory's own rules. The first byte picks:
//   0  a registration body, {"dc", "x5c"}, through KeyRegistry::prepareKey
//      (the checks POST /v1/keys and `keydir import` make before storing);
//   1  a revocation JWS as sent, through verifyRevocation and the iat a
//      follower reads from it unverified;
//   2  a revocation payload, {"sub", "iat", "jti"}, signed here by a real
//      leaf so that the payload and authority checks behind the signature
//      are reached, then checked against a key scoped like the leaf.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "certs/jws.h"
#include "directory/key_registry.h"
#include "directory/revocation.h"
#include "directory/store/sql_key_store.h"
#include "tests/fuzz/fuzz_pki.h"

namespace {

struct Registry {
  Registry() {
    file = std::filesystem::temp_directory_path() /
           ("keydir-fuzz-registration-" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(file);
    auto opened = keydir::SqlKeyStore::open(file);
    if (!opened) __builtin_trap();
    store = std::move(*opened);
    registry = std::make_unique<keydir::KeyRegistry>(*store, *pki.trust, keydir::KeyPolicy{});
  }
  ~Registry() { std::filesystem::remove(file); }
  keydir::fuzz::FuzzPki pki;
  std::filesystem::path file;
  std::unique_ptr<keydir::SqlKeyStore> store;
  std::unique_ptr<keydir::KeyRegistry> registry;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Registry registry;
  if (size == 0) return 0;
  const keydir::fuzz::FuzzPki& pki = registry.pki;
  const keydir::Instant now = pki.clock.now();
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t max_chain = keydir::CredentialPolicy{}.max_chain_length;
  switch (data[0] % 3) {
    case 0:
      (void)registry.registry->prepareKey(body, now);
      break;
    case 1:
      (void)keydir::verifyRevocation(body, *pki.trust, now, &pki.spc_map, max_chain);
      (void)keydir::claimedRevocationTime(body);
      break;
    case 2: {
      auto jws = keydir::signJws(nlohmann::json::object(), body, pki.leaf_key.get(), pki.chain);
      if (!jws) __builtin_trap();
      auto claim = keydir::verifyRevocation(*jws, *pki.trust, now, &pki.spc_map, max_chain);
      if (claim) (void)keydir::checkRevocationCovers(*claim, pki.scopes, &pki.spc_map);
      (void)keydir::claimedRevocationTime(*jws);
      break;
    }
  }
  return 0;
}
