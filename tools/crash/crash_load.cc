// The load and the checks of tools/crash/rounds (issue 13's crash safety):
//
//   keydir-crash-load write PKI_DIR URL ACKS CLIENTS FIRST_INDEX
//     CLIENTS threads register keys (a new enterprise certificate per TN,
//     under the test PKI's intermediate) and revoke about one in three of
//     their own, until SIGTERM. Each write the directory acknowledged with
//     a 2xx is appended to ACKS as "put ID" or "revoked ID", only after the
//     answer came; a write without an answer (the directory was killed) is
//     not. "revoking ID" goes first, before the request: a revocation the
//     directory was killed answering may or may not have been made, so
//     that key may be either. TNs are 1 and ten digits from 3000000000 +
//     FIRST_INDEX up.
//
//   keydir-crash-load check URL DB ACKS
//     Against a directory restarted after a kill: every acknowledged
//     registration is live unless its revocation was acknowledged, every
//     acknowledged revocation is out of the live set, the digest computed
//     here from a snapshot equals the one the snapshot and /v1/meta name,
//     and PRAGMA integrity_check on DB says ok.
//
//   keydir-crash-load converge CACHE_URL DIRECTORY_URL SECONDS CACHE_DB
//     Waits until a cache's /v1/meta names the directory's sequence and
//     digest, prints how long it took, and checks the cache's file with
//     PRAGMA integrity_check.
//
// Exit status 0 when all is well, 1 with the reason on stderr otherwise.

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "certs/base64.h"
#include "certs/jws.h"
#include "certs/key_pair.h"
#include "certs/pem.h"
#include "directory/client/directory_client.h"
#include "directory/store/feed_hashes.h"
#include "directory/store/sqlite.h"
#include "tools/bench/number_registration.h"

namespace {

using namespace keydir;

std::atomic<bool> stopping{false};

struct Issuer {
  X509Ptr certificate;
  EvpPkeyPtr key;
};

struct Registered {
  std::string id;
  std::vector<X509Ptr> chain;
  EvpPkeyPtr key;
};

// Appends acknowledgements, one whole line per write(2), so that lines
// from several threads never interleave.
class AckLog {
 public:
  explicit AckLog(const std::string& file) : out_(file, std::ios::app) {}
  bool good() const { return bool(out_); }
  void note(const std::string& what, const std::string& id) {
    std::lock_guard lock(mutex_);
    out_ << what << ' ' << id << '\n' << std::flush;
  }

 private:
  std::mutex mutex_;
  std::ofstream out_;
};

struct Counts {
  std::atomic<long> puts{0}, revocations{0}, unanswered{0}, refused{0};
};

Result<Registered> newRegistration(const Issuer& issuer, std::uint64_t index, std::string* body) {
  auto made = bench::numberRegistration("1" + std::to_string(3000000000ull + index),
                                        issuer.certificate.get(), issuer.key.get(), nowInstant());
  if (!made) return std::unexpected(made.error());
  *body = std::move(made->body);
  Registered registered;
  registered.chain = std::move(made->chain);
  registered.key = std::move(made->key);
  return registered;
}

Result<std::string> revocationJws(const Registered& key) {
  nlohmann::json payload = {
      {"sub", key.id}, {"iat", nowInstant().time_since_epoch().count()}, {"jti", freshJti()}};
  return signJws({{"typ", "key-revocation"}}, payload.dump(), key.key.get(), key.chain);
}

// Without an answer the directory is down (killed, or not back yet): wait
// a moment rather than spin.
void pauseAfter(const Error& error, Counts& counts) {
  if (error.code == ErrorCode::kUnavailable) {
    ++counts.unanswered;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } else {
    ++counts.refused;
  }
}

void writeUntilStopped(const Issuer& issuer, const std::string& url, AckLog& acks,
                       std::atomic<std::uint64_t>& next_index, Counts& counts, unsigned seed) {
  auto client = DirectoryClient::create(url);
  if (!client) return;
  std::mt19937 random(seed);
  std::vector<Registered> live;
  while (!stopping) {
    if (!live.empty() && random() % 3 == 0) {
      std::size_t pick = random() % live.size();
      auto jws = revocationJws(live[pick]);
      if (!jws) continue;
      acks.note("revoking", live[pick].id);
      auto answer = client->call("POST", "/v1/keys/" + live[pick].id + "/revocation", *jws,
                                 "application/jose");
      if (!answer) {
        pauseAfter(answer.error(), counts);
        // Unanswered, it may have been made: not tried again, not counted.
        if (answer.error().code == ErrorCode::kUnavailable) {
          live.erase(live.begin() + std::ptrdiff_t(pick));
        }
        continue;
      }
      acks.note("revoked", live[pick].id);
      ++counts.revocations;
      live.erase(live.begin() + std::ptrdiff_t(pick));
      continue;
    }
    std::string body;
    auto registration = newRegistration(issuer, next_index++, &body);
    if (!registration) continue;
    auto answer = client->call("POST", "/v1/keys", body, "application/json");
    if (!answer) {
      pauseAfter(answer.error(), counts);
      continue;
    }
    auto json = nlohmann::json::parse(answer->body, nullptr, false);
    if (!json.is_object() || !json.contains("id") || !json["id"].is_string()) continue;
    registration->id = json["id"].get<std::string>();
    acks.note("put", registration->id);
    ++counts.puts;
    live.push_back(std::move(*registration));
  }
}

int write(const std::vector<std::string>& args) {
  const std::filesystem::path pki = args[0];
  auto certificate = loadCertificates(pki / "intermediate.pem");
  auto key = loadPrivateKey(pki / "intermediate.key");
  if (!certificate || !key) {
    std::cerr << "keydir-crash-load: " << pki << " holds no test PKI (keydir pki init)\n";
    return 1;
  }
  Issuer issuer{std::move((*certificate)[0]), std::move(*key)};
  AckLog acks(args[2]);
  if (!acks.good()) {
    std::cerr << "keydir-crash-load: cannot append to " << args[2] << "\n";
    return 1;
  }
  std::signal(SIGTERM, [](int) { stopping = true; });
  std::atomic<std::uint64_t> next_index{std::stoull(args[4])};
  Counts counts;
  std::vector<std::thread> clients;
  for (unsigned i = 0, n = unsigned(std::stoul(args[3])); i < n; ++i) {
    clients.emplace_back(writeUntilStopped, std::cref(issuer), args[1], std::ref(acks),
                         std::ref(next_index), std::ref(counts), std::random_device{}());
  }
  for (auto& client : clients) client.join();
  std::cout << counts.puts << " registrations and " << counts.revocations
            << " revocations acknowledged, " << counts.unanswered
            << " attempts unanswered (at or after the kill), " << counts.refused << " refused\n";
  return 0;
}

Result<nlohmann::json> getJson(DirectoryClient& client, const std::string& path) {
  auto answer = client.call("GET", path);
  if (!answer) return std::unexpected(answer.error());
  auto json = nlohmann::json::parse(answer->body, nullptr, false);
  if (!json.is_object()) return fail(ErrorCode::kMalformed, path + " did not answer an object");
  return json;
}

int failed(const std::string& why) {
  std::cerr << "keydir-crash-load: " << why << "\n";
  return 1;
}

Result<void> integrityOk(const std::string& file) {
  auto db = SqliteDatabase::open(file);
  if (!db) return std::unexpected(db.error());
  auto integrity = (*db)->prepare("PRAGMA integrity_check");
  if (!integrity) return std::unexpected(integrity.error());
  auto row = integrity->step();
  if (!row || !*row || integrity->text(0) != "ok") {
    return fail(ErrorCode::kUnavailable, file + ": PRAGMA integrity_check: " +
                                             (row && *row ? integrity->text(0) : "no answer"));
  }
  return {};
}

int check(const std::vector<std::string>& args) {
  auto client = DirectoryClient::create(args[0]);
  if (!client) return failed(client.error().message);

  std::set<std::string> live_keys;
  Digest computed{};
  nlohmann::json end;
  auto streamed = client->streamLines("/v1/snapshot", [&](std::string_view text) {
    auto line = nlohmann::json::parse(text, nullptr, false);
    if (!line.is_object() || !line["kind"].is_string()) return false;
    const std::string kind = line["kind"];
    if (kind == "end") {
      end = line;
    } else if (kind != "begin") {
      const std::string id = line["id"];
      xorInto(computed, digestTerm(kind, id));
      if (kind == "key") live_keys.insert(id);
    }
    return true;
  });
  if (!streamed) return failed("snapshot: " + streamed.error().message);
  if (!end.is_object()) return failed("the snapshot has no end line");
  if (end["digest"] != digestHex(computed)) {
    return failed("the snapshot names digest " + end["digest"].dump() + " but its records give " +
                  digestHex(computed));
  }
  auto meta = getJson(*client, "/v1/meta");
  if (!meta) return failed("meta: " + meta.error().message);
  if ((*meta)["sequence"] == end["seq"] && (*meta)["digest"] != end["digest"]) {
    return failed("/v1/meta names digest " + (*meta)["digest"].dump() + " at sequence " +
                  end["seq"].dump() + ", the snapshot " + end["digest"].dump());
  }

  std::ifstream acks(args[2]);
  std::set<std::string> put, revoking, revoked;
  std::string what, id;
  while (acks >> what >> id) {
    (what == "put" ? put : what == "revoking" ? revoking : revoked).insert(id);
  }
  long missing = 0, resurrected = 0;
  for (const auto& key : put) {
    if (!revoking.contains(key) && !live_keys.contains(key)) {
      if (missing++ < 5) std::cerr << "acknowledged registration missing: " << key << "\n";
    }
  }
  for (const auto& key : revoked) {
    if (live_keys.contains(key)) {
      if (resurrected++ < 5) std::cerr << "acknowledged revocation undone: " << key << "\n";
    }
  }
  if (missing || resurrected) {
    return failed(std::to_string(missing) + " acknowledged registrations lost, " +
                  std::to_string(resurrected) + " acknowledged revocations undone");
  }

  if (auto intact = integrityOk(args[1]); !intact) return failed(intact.error().message);
  std::cout << put.size() << " registrations and " << revoked.size()
            << " revocations acknowledged so far, all there; " << live_keys.size()
            << " live keys at sequence " << end["seq"] << "; digest " << digestHex(computed)
            << " as named; integrity ok\n";
  return 0;
}

int converge(const std::vector<std::string>& args) {
  auto cache = DirectoryClient::create(args[0]);
  auto directory = DirectoryClient::create(args[1]);
  if (!cache || !directory) return failed("bad URL");
  const auto start = std::chrono::steady_clock::now();
  const auto limit = start + std::chrono::seconds(std::stol(args[2]));
  std::string last = "no answer";
  while (std::chrono::steady_clock::now() < limit) {
    auto want = getJson(*directory, "/v1/meta");
    auto have = getJson(*cache, "/v1/meta");
    if (want && have) {
      if ((*have)["sequence"] == (*want)["sequence"] && (*have)["digest"] == (*want)["digest"]) {
        std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        if (auto intact = integrityOk(args[3]); !intact) return failed(intact.error().message);
        std::cout << "converged at sequence " << (*want)["sequence"] << " in " << took.count()
                  << " s; integrity ok\n";
        return 0;
      }
      last = "cache at " + (*have)["sequence"].dump() + " " + (*have)["digest"].dump() +
             ", directory at " + (*want)["sequence"].dump() + " " + (*want)["digest"].dump();
    } else {
      last = (want ? have.error() : want.error()).message;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return failed("the cache did not converge in " + args[2] + " s: " + last);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const std::string usage =
      "usage: keydir-crash-load write PKI_DIR URL ACKS CLIENTS FIRST_INDEX\n"
      "       keydir-crash-load check URL DB ACKS\n"
      "       keydir-crash-load converge CACHE_URL DIRECTORY_URL SECONDS CACHE_DB\n";
  if (args.empty()) {
    std::cerr << usage;
    return 2;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "write" && args.size() == 5) return write(args);
  if (command == "check" && args.size() == 3) return check(args);
  if (command == "converge" && args.size() == 4) return converge(args);
  std::cerr << usage;
  return 2;
}
