#include "cps/dummy_maker.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

#include "certs/base64.h"
#include "certs/jwe.h"
#include "certs/openssl_error.h"
#include "cps/entry_rules.h"

namespace keydir {
namespace {

constexpr std::size_t kIdBytes = 16;

// Lengths of PASSporTs as `keydir passport` makes them, with x5u URLs of
// a few lengths, for the time before anything was stored.
constexpr std::size_t kFixedSpread[] = {420, 436, 452, 468, 484, 500, 516, 532,
                                        548, 564, 580, 596, 612, 628, 644, 660};

std::string randomBytes(std::size_t count) {
  std::string bytes(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), int(count)) != 1) {
    throw std::runtime_error(drainOpensslErrors("no random bytes"));
  }
  return bytes;
}

std::uint64_t firstWord(std::string_view bytes) {
  std::uint64_t word = 0;
  for (int i = 0; i < 8; ++i) word = (word << 8) | static_cast<unsigned char>(bytes[i]);
  return word;
}

// `count` bytes that look random: AES-256-CTR's key stream under `key`.
std::string keyStream(std::string_view key, std::size_t count) {
  CipherCtxPtr context(EVP_CIPHER_CTX_new());
  const std::string zeros(count, '\0');
  std::string out(count, '\0');
  const unsigned char iv[16] = {};
  int length = 0;
  if (!context ||
      EVP_EncryptInit_ex2(context.get(), EVP_aes_256_ctr(),
                          reinterpret_cast<const unsigned char*>(key.data()), iv, nullptr) != 1 ||
      EVP_EncryptUpdate(context.get(), reinterpret_cast<unsigned char*>(out.data()), &length,
                        reinterpret_cast<const unsigned char*>(zeros.data()), int(count)) != 1) {
    throw std::runtime_error(drainOpensslErrors("AES-256-CTR failed"));
  }
  return out;
}

}  // namespace

DummyMaker::DummyMaker(std::string secret) : secret_(std::move(secret)) {
  if (secret_.size() != kSecretBytes) {
    throw std::invalid_argument("a dummy maker's secret is 32 bytes");
  }
}

std::string DummyMaker::randomSecret() { return randomBytes(kSecretBytes); }

std::string DummyMaker::freshId() {
  // Drawn from OpenSSL 32 at a time: each draw costs some 2 us (4% of a
  // store), most of it the same whatever the number of bytes.
  constexpr std::size_t kBatchBytes = kIdBytes * 32;
  thread_local std::string batch;
  thread_local std::size_t taken = kBatchBytes;
  if (taken == kBatchBytes) {
    batch = randomBytes(kBatchBytes);
    taken = 0;
  }
  const std::string_view id = std::string_view(batch).substr(taken, kIdBytes);
  taken += kIdBytes;
  return base64UrlEncode(id);
}

std::string DummyMaker::prf(std::string_view label, std::string_view tn, long long tick, int slot,
                            int index) const {
  // Each field is length-prefixed or fixed-size, so no two places share an input.
  std::string input;
  input.push_back(char(label.size()));
  input.append(label);
  input.push_back(char(tn.size()));
  input.append(tn);
  for (int shift = 56; shift >= 0; shift -= 8) input.push_back(char(std::uint64_t(tick) >> shift));
  for (int shift = 24; shift >= 0; shift -= 8) input.push_back(char(std::uint32_t(slot) >> shift));
  for (int shift = 24; shift >= 0; shift -= 8) input.push_back(char(std::uint32_t(index) >> shift));
  std::string out(32, '\0');
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret_.data(), int(secret_.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(),
       reinterpret_cast<unsigned char*>(out.data()), &length);
  return out;
}

Result<StoredEntry> DummyMaker::make(std::string_view tn, long long tick, int slot,
                                     const std::vector<KeyShape>& shapes,
                                     std::size_t ciphertext_bytes) const {
  StoredEntry entry;
  entry.id = base64UrlEncode(prf("id", tn, tick, slot, 0).substr(0, kIdBytes));
  entry.tick = tick;
  entry.slot = slot;
  std::vector<std::string> jwes;
  for (std::size_t index = 0; index < shapes.size(); ++index) {
    const int at = int(index) + 1;
    auto ephemeral = keyFromSeed(shapes[index].type, prf("epk", tn, tick, slot, at));
    if (!ephemeral) return std::unexpected(ephemeral.error());
    const std::string header = jweProtectedHeader(ephemeral->get(), shapes[index].kid);
    const std::string iv = prf("iv", tn, tick, slot, at).substr(0, 12);
    const std::string tag = prf("tag", tn, tick, slot, at).substr(0, 16);
    const std::string ciphertext =
        keyStream(prf("ciphertext", tn, tick, slot, at), ciphertext_bytes);
    jwes.push_back(compactJwe(header, iv, ciphertext, tag));
  }
  entry.json = entryJson(entry.id, jwes);
  return entry;
}

std::size_t DummyMaker::lengthFor(std::string_view tn, long long tick, int slot,
                                  const std::vector<std::size_t>& recent) const {
  const std::uint64_t draw = firstWord(prf("length", tn, tick, slot, 0));
  if (recent.empty()) return kFixedSpread[draw % std::size(kFixedSpread)];
  return recent[draw % recent.size()];
}

std::uint64_t DummyMaker::orderSeed(std::string_view scope, long long tick) const {
  return firstWord(prf("order", scope, tick, 0, 0));
}

KeyShape DummyMaker::madeUpKey(std::string_view tn) const {
  // A key id is base64url of SHA-256: 43 characters.
  return {base64UrlEncode(prf("kid", tn, 0, 0, 0)), KeyType::kP256};
}

}  // namespace keydir
