// Writes N registrations for benchmarks: one enterprise certificate per TN
// (2-TN, DelegationUsage, under the test PKI's intermediate) and an X25519
// delegated credential for it, as NDJSON {"dc","x5c"} lines the way
// `keydir import` and POST /v1/keys take them, plus the TNs, one per line.
//
//   keydir-bench-keys PKI_DIR COUNT KEYS_OUT TNS_OUT
//
// TNs are 1 followed by ten digits from 2000000000 up, so they never meet
// the numbers of the tests or the demo.

#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "certs/pem.h"
#include "tools/bench/number_registration.h"

namespace {

using namespace keydir;

std::string registrationLine(std::uint64_t index, const X509* issuer, EVP_PKEY* issuer_key,
                             Instant now) {
  auto made = bench::numberRegistration("1" + std::to_string(2000000000ull + index), issuer,
                                        issuer_key, now);
  if (!made) throw std::runtime_error(made.error().message);
  return std::move(made->body);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: keydir-bench-keys PKI_DIR COUNT KEYS_OUT TNS_OUT\n";
    return 2;
  }
  std::filesystem::path pki = argv[1];
  std::uint64_t count = std::stoull(argv[2]);
  auto intermediate = loadCertificates(pki / "intermediate.pem");
  auto intermediate_key = loadPrivateKey(pki / "intermediate.key");
  if (!intermediate || !intermediate_key) {
    std::cerr << "keydir-bench-keys: " << pki << " holds no test PKI (keydir pki init)\n";
    return 1;
  }
  std::ofstream keys(argv[3]);
  std::ofstream tns(argv[4]);
  Instant now = nowInstant();
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  const std::uint64_t chunk = 1000;
  std::vector<std::string> lines(chunk);
  for (std::uint64_t start = 0; start < count; start += chunk) {
    std::uint64_t end = std::min(count, start + chunk);
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (std::uint64_t i = start + t; i < end; i += threads) {
          lines[i - start] =
              registrationLine(i, (*intermediate)[0].get(), intermediate_key->get(), now);
        }
      });
    }
    for (auto& worker : workers) worker.join();
    for (std::uint64_t i = start; i < end; ++i) {
      keys << lines[i - start] << '\n';
      tns << '1' << (2000000000ull + i) << '\n';
    }
    if ((end / chunk) % 50 == 0 || end == count) {
      std::cerr << "keydir-bench-keys: " << end << " of " << count << "\n";
    }
  }
  return 0;
}
