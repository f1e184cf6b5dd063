// Fetches storage tokens from a CPS for benchmarks, as `keydir cps tokens`
// does (one TokenRequest, with its own JWT, per request), from THREADS
// threads at once; prints the tokens issued per second and writes the
// tokens, one base64url line each, to OUT.
//
//   keydir-bench-tokens CPS_URL NAME CHAIN KEY COUNT THREADS OUT
//
// Or makes them here with the CPS's own current key, read from its key
// file, by the same blind, sign and finalize steps: the store figures need
// more tokens than the CPS issues in a minute, and a token made so is the
// one the CPS would have issued (the CPS checks it the same way).
//
//   keydir-bench-tokens --mint KEY_FILE NAME COUNT THREADS OUT

#include <chrono>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "certs/base64.h"
#include "certs/pem.h"
#include "certs/privacy_pass.h"
#include "cps/storage_token_client.h"

namespace {

int mint(const std::string& key_file, const std::string& name, std::size_t count,
         std::size_t threads, const std::string& out_file) {
  using namespace keydir;
  auto text = readFile(key_file);
  auto kept = nlohmann::json::parse(text ? *text : "", nullptr, false);
  if (!kept.is_object() || kept["token_keys"].empty()) {
    std::cerr << "no token keys in " << key_file << "\n";
    return 1;
  }
  auto key = privateKeyFromPem(kept["token_keys"].back()["private_key"].get<std::string>());
  if (!key) return 1;
  const std::string token_key = encodeTokenKey(key->get()).value();
  const std::string challenge = encodeTokenChallenge({kBlindRsaTokenType, name, "", name});
  std::vector<std::vector<std::string>> made(threads);
  std::vector<std::thread> workers;
  for (std::size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (std::size_t i = t; i < count; i += threads) {
        auto draft = draftTokenRequest(token_key, challenge).value();
        auto response =
            issueTokenResponse(key->get(), parseTokenRequest(draft.request).value()).value();
        made[t].push_back(
            base64UrlEncodePadded(finalizeToken(token_key, draft.pending, response).value()));
      }
    });
  }
  for (auto& worker : workers) worker.join();
  std::ofstream out(out_file);
  for (const auto& some : made) {
    for (const auto& token : some) out << token << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace keydir;
  if (argc == 7 && std::string(argv[1]) == "--mint") {
    return mint(argv[2], argv[3], std::stoul(argv[4]), std::stoul(argv[5]), argv[6]);
  }
  if (argc != 8) {
    std::cerr << "usage: keydir-bench-tokens CPS_URL NAME CHAIN KEY COUNT THREADS OUT\n";
    return 2;
  }
  const std::string url = argv[1], name = argv[2];
  auto chain = loadCertificates(argv[3]);
  auto key = loadPrivateKey(argv[4]);
  if (!chain || !key) {
    std::cerr << "cannot load the certificate or its key\n";
    return 1;
  }
  const std::size_t count = std::stoul(argv[5]), threads = std::stoul(argv[6]);
  std::mutex lock;
  std::vector<std::string> tokens;
  bool failed = false;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (std::size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      auto client = DirectoryClient::create(url);
      TokenWallet wallet;
      wallet.name = name;
      const std::size_t share = count / threads + (t < count % threads ? 1 : 0);
      auto fetched = fetchStorageTokens(*client, "", TokenHolder{&*chain, key->get()}, share,
                                        wallet, nowInstant());
      std::lock_guard held(lock);
      if (!fetched) {
        std::cerr << "fetching tokens: " << fetched.error().message << "\n";
        failed = true;
      }
      tokens.insert(tokens.end(), wallet.tokens.begin(), wallet.tokens.end());
    });
  }
  for (auto& worker : workers) worker.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::ofstream out(argv[7]);
  for (const auto& token : tokens) out << token << "\n";
  std::cout << static_cast<long long>(tokens.size() / seconds) << "\n";
  return failed ? 1 : 0;
}
