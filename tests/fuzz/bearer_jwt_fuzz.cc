// The industry interface's JWT as a CPS checks it. The fuzzer writes the
// claims (and the first byte picks the request they are checked against);
// they are signed with the fuzz PKI's leaf so that every claim check behind
// the signature is reached. The same bytes sent as the bearer token itself
// reach the parser. Nothing is fetched: an x5u is refused here.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "certs/jws.h"
#include "cps/bearer_jwt.h"
#include "tests/fuzz/fuzz_pki.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static keydir::fuzz::FuzzPki pki;
  static keydir::ChainCache chains(
      [](const std::string&) -> keydir::Result<std::vector<keydir::X509Ptr>> {
        return keydir::fail(keydir::ErrorCode::kMalformed, "this fuzz target fetches nothing");
      },
      std::chrono::seconds(60));
  if (size == 0) return 0;
  keydir::BearerRules rules;
  rules.trust = pki.trust.get();
  rules.chains = &chains;
  rules.audience = "cps.test";
  keydir::BearerRequest request;
  static const char* kActions[] = {"publish", "retrieve", "token"};
  request.action = kActions[data[0] % 3];
  if (data[0] & 4) request.spc = "1234";
  request.dest = "12025550150";
  request.orig = "12025550100";
  request.passports = nlohmann::json::array({"a.b.c"});
  request.passports_as_sent = "[\"a.b.c\"]";
  request.body_digest = "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU";
  const std::string claims(reinterpret_cast<const char*>(data + 1), size - 1);
  const keydir::Instant now = pki.clock.now();
  (void)keydir::verifyBearer("Bearer " + claims, request, rules, now);
  auto signed_jwt = keydir::signJws({}, claims, pki.leaf_key.get(), pki.chain);
  if (signed_jwt) (void)keydir::verifyBearer("Bearer " + *signed_jwt, request, rules, now);
  return 0;
}
