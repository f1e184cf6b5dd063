#pragma once
// The CPS's storage-token keys (docs/design.md section 14): one 2048-bit
// RSA key per period of `token_key_days`, counted from the Unix epoch, so
// that every process sharing a store agrees which period it is without
// talking. Tokens are issued with the period's key; a token of the key
// before is still taken for `grace` after the turn, then refused. Keys are
// made when first needed and kept where a restart or a second process
// finds them: a 0600 file, or the shared store (Redis).

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "certs/blind_rsa.h"
#include "certs/error.h"
#include "certs/instant.h"
#include "certs/openssl_ptr.h"
#include "cps/entry_store.h"

namespace keydir {

struct TokenKey {
  long long period = 0;
  EvpPkeyPtr private_key;
  EvpPkeyPtr public_key;
  std::optional<BlindRsaSigner> signer;      // of private_key, for issuing
  std::optional<BlindRsaVerifier> verifier;  // of public_key, for redeeming
  std::string token_key;                     // the SubjectPublicKeyInfo as published
  std::string id;                            // token_key_id: SHA-256 of token_key
  std::string modulus;                       // n, big-endian, kBlindRsaNk bytes
  Instant not_before;                        // issued with from here, to the next period
  Instant redeem_until;                      // and its tokens taken to here
};

// Keeps the PEM of period `period`'s key: the kept one, or make()'s kept
// now until `expires`; kNotFound when none is kept and `make` is empty.
using TokenKeyKeeper = std::function<Result<std::string>(
    long long period, const std::function<std::string()>& make, Instant expires)>;

// Keeps keys in `file`, created 0600; refuses a file others may read.
// Keys before the previous period are dropped from it.
TokenKeyKeeper fileTokenKeyKeeper(std::filesystem::path file);
// Keeps keys in the shared store, so that every process uses the same.
TokenKeyKeeper storeTokenKeyKeeper(EntryStore& store);

class TokenKeys {
 public:
  TokenKeys(TokenKeyKeeper keeper, std::chrono::seconds period, std::chrono::seconds grace);

  // The key to issue with at `now`.
  Result<std::shared_ptr<const TokenKey>> current(Instant now);
  // The keys whose tokens are taken at `now`: the current one and, within
  // the grace after a turn, the one before; current first.
  Result<std::vector<std::shared_ptr<const TokenKey>>> redeemable(Instant now);
  // When a key this process once held stopped being taken, for telling a
  // storer why its token is refused; nullopt for a key it never held.
  std::optional<Instant> retiredAt(const std::string& id) const;

 private:
  // The period's key, made when missing if `make_missing`; otherwise null
  // when none is kept (remembered, so that it is asked for once).
  Result<std::shared_ptr<const TokenKey>> ofPeriod(long long period, bool make_missing);

  TokenKeyKeeper keeper_;
  std::chrono::seconds period_, grace_;
  mutable std::mutex mutex_;
  std::map<long long, std::shared_ptr<const TokenKey>> keys_;  // by period; null: none kept
};

}  // namespace keydir
