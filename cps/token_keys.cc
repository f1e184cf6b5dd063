#include "cps/token_keys.h"

#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include <nlohmann/json.hpp>

#include "certs/pem.h"
#include "certs/privacy_pass.h"

namespace keydir {
namespace {

namespace fs = std::filesystem;

Result<nlohmann::json> readKeyFile(const fs::path& file) {
  std::error_code error;
  const fs::file_status status = fs::status(file, error);
  if (error || !fs::exists(status)) return nlohmann::json{{"token_keys", nlohmann::json::array()}};
  const fs::perms open_to_others = fs::perms::group_all | fs::perms::others_all;
  if ((status.permissions() & open_to_others) != fs::perms::none) {
    return fail(ErrorCode::kNotAuthorized,
                "the token key file " + file.string() +
                    " may be read by others; it holds private keys: chmod 600 it");
  }
  auto text = readFile(file);
  if (!text) return std::unexpected(text.error());
  nlohmann::json parsed = nlohmann::json::parse(*text, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("token_keys") || !parsed["token_keys"].is_array()) {
    return fail(ErrorCode::kMalformed,
                "the token key file " + file.string() + " is not {\"token_keys\": [...]}");
  }
  return parsed;
}

}  // namespace

TokenKeyKeeper fileTokenKeyKeeper(fs::path file) {
  auto lock = std::make_shared<std::mutex>();
  return [file = std::move(file), lock](long long period, const std::function<std::string()>& make,
                                        Instant expires) -> Result<std::string> {
    std::lock_guard held(*lock);
    auto kept = readKeyFile(file);
    if (!kept) return std::unexpected(kept.error());
    for (const auto& key : (*kept)["token_keys"]) {
      if (key.value("period", -1LL) == period && key.contains("private_key")) {
        return key["private_key"].get<std::string>();
      }
    }
    if (!make) return fail(ErrorCode::kNotFound, "no token key is kept for this period");
    const std::string pem = make();
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& key : (*kept)["token_keys"]) {
      // Keys before the one this follows are past their grace (shorter
      // than a period) by the time this one is made.
      if (key.value("period", -1LL) >= period - 1) keys.push_back(key);
    }
    keys.push_back({{"period", period}, {"redeem_until", unixTime(expires)}, {"private_key", pem}});
    auto written = writeFile(file, nlohmann::json{{"token_keys", keys}}.dump(1), true);
    if (!written) return std::unexpected(written.error());
    return pem;
  };
}

TokenKeyKeeper storeTokenKeyKeeper(EntryStore& store) {
  return [&store](long long period, const std::function<std::string()>& make, Instant expires) {
    return store.keepFirst("token-key " + std::to_string(period), make, expires);
  };
}

TokenKeys::TokenKeys(TokenKeyKeeper keeper, std::chrono::seconds period, std::chrono::seconds grace)
    : keeper_(std::move(keeper)), period_(period), grace_(grace) {}

Result<std::shared_ptr<const TokenKey>> TokenKeys::ofPeriod(long long period, bool make_missing) {
  std::lock_guard lock(mutex_);
  if (auto at = keys_.find(period); at != keys_.end()) return at->second;
  const Instant start{std::chrono::seconds(period * period_.count())};
  // RFC 9578 section 6.5: a request names its key by the id's last byte,
  // so a new key's must differ from the one it follows.
  std::optional<char> before;
  if (auto at = keys_.find(period - 1); at != keys_.end() && at->second) {
    before = at->second->id.back();
  }
  std::function<std::string()> make = [&before] {
    while (true) {
      EvpPkeyPtr key(EVP_RSA_gen(2048));
      if (!key) continue;
      auto spki = encodeTokenKey(key.get());
      if (spki && (!before || tokenKeyId(*spki).back() != *before)) return privateKeyPem(key.get());
    }
  };
  auto pem = keeper_(period, make_missing ? make : nullptr, start + period_ + grace_);
  if (!pem && pem.error().code == ErrorCode::kNotFound && !make_missing) {
    keys_[period] = nullptr;  // asked once: the store path must not ask again
    return std::shared_ptr<const TokenKey>();
  }
  if (!pem) return std::unexpected(pem.error());
  auto private_key = privateKeyFromPem(*pem);
  if (!private_key) return failWithContext(private_key.error(), "the kept token key");
  auto spki = encodeTokenKey(private_key->get());
  if (!spki) return failWithContext(spki.error(), "the kept token key");
  auto public_key = parseTokenKey(*spki);
  if (!public_key) return std::unexpected(public_key.error());
  auto key = std::make_shared<TokenKey>();
  key->period = period;
  key->private_key = std::move(*private_key);
  key->public_key = std::move(*public_key);
  auto signer = BlindRsaSigner::forKey(key->private_key.get());
  if (!signer) return failWithContext(signer.error(), "the kept token key");
  key->signer.emplace(std::move(*signer));
  auto verifier = BlindRsaVerifier::forKey(key->public_key.get());
  if (!verifier) return failWithContext(verifier.error(), "the kept token key");
  key->verifier.emplace(std::move(*verifier));
  key->token_key = *spki;
  key->id = tokenKeyId(*spki);
  BIGNUM* n = nullptr;
  EVP_PKEY_get_bn_param(key->public_key.get(), OSSL_PKEY_PARAM_RSA_N, &n);
  BignumPtr owned_n(n);
  key->modulus.assign(kBlindRsaNk, '\0');
  if (n) BN_bn2binpad(n, reinterpret_cast<unsigned char*>(key->modulus.data()), int(kBlindRsaNk));
  key->not_before = start;
  key->redeem_until = start + period_ + grace_;
  keys_[period] = key;
  return std::shared_ptr<const TokenKey>(key);
}

Result<std::shared_ptr<const TokenKey>> TokenKeys::current(Instant now) {
  return ofPeriod(unixTime(now) / period_.count(), true);
}

Result<std::vector<std::shared_ptr<const TokenKey>>> TokenKeys::redeemable(Instant now) {
  auto key = current(now);
  if (!key) return std::unexpected(key.error());
  std::vector<std::shared_ptr<const TokenKey>> keys = {*key};
  if (now < (*key)->not_before + grace_) {
    // Only a key that was issued with: none is made for a period gone by.
    auto before = ofPeriod((*key)->period - 1, false);
    if (!before) return std::unexpected(before.error());
    if (*before) keys.push_back(*before);
  }
  return keys;
}

std::optional<Instant> TokenKeys::retiredAt(const std::string& id) const {
  std::lock_guard lock(mutex_);
  for (const auto& [period, key] : keys_) {
    if (key && key->id == id) return key->redeem_until;
  }
  return std::nullopt;
}

}  // namespace keydir
