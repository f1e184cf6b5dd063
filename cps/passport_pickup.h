#pragma once
// What a callee's verification service does with a CPS's answer (RFC 8816
// sections 6.2 and 8.2): tries each of its keys on each JWE of the right
// curve (dummies and other keys' JWEs simply do not open), and checks each
// PASSporT that opens as section 9 of the design says, its called number
// included. Nothing here talks to the network but the check's x5u fetch.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "certs/passport.h"

namespace keydir {

struct PickedUp {
  std::string tn;
  std::string id;
  std::string passport;
  VerifiedPassport verified;
};

struct NotTaken {
  std::string tn;
  std::string id;
  std::string why;  // the check's refusal, which starts with its step
};

struct Pickup {
  std::size_t entries = 0;  // in the answer, dummies included
  std::size_t jwes = 0;
  std::vector<PickedUp> verified;
  std::vector<NotTaken> refused;  // opened with a key, and failed a check
};

// `answer` is a CPS's answer by number ({"tn", "ppts"}) or by prefix
// ({"ppts": [{"tn", ..}]}); `keys` are the callee's ECDH private keys.
// A PASSporT is taken when it verifies and names the entry's number in
// its "dest".
Pickup pickUp(const nlohmann::json& answer, const std::vector<const EVP_PKEY*>& keys,
              const PassportCheck& check);

}  // namespace keydir
