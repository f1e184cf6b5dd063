// The Privacy Pass parsers a CPS runs on what anyone sends (RFC 9577,
// RFC 9578): the Authorization header's token, the Token, the
// TokenRequest, the TokenChallenge and a token key. Every input is a value
// or an error with a reason, and what parses encodes back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "certs/privacy_pass.h"
#include "cps/storage_tokens.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto fails_with_reason = [](const auto& result) {
    if (!result && result.error().message.empty()) __builtin_trap();
  };
  auto token = keydir::parseToken(bytes);
  fails_with_reason(token);
  if (token && keydir::encodeToken(*token) != bytes) __builtin_trap();
  auto request = keydir::parseTokenRequest(bytes);
  fails_with_reason(request);
  if (request && keydir::encodeTokenRequest(*request) != bytes) __builtin_trap();
  auto challenge = keydir::parseTokenChallenge(bytes);
  fails_with_reason(challenge);
  if (challenge && keydir::encodeTokenChallenge(*challenge) != bytes) __builtin_trap();
  auto key = keydir::parseTokenKey(bytes);
  fails_with_reason(key);
  if (key) {
    auto again = keydir::encodeTokenKey(key->get());
    if (!again || *again != bytes) __builtin_trap();
  }
  auto header = keydir::privateTokenFrom(bytes);
  fails_with_reason(header);
  if (header) fails_with_reason(keydir::parseToken(*header));
  return 0;
}
