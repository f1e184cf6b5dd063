// keydir demo: the whole out-of-band flow on loopback, in a fresh folder,
// one or two plain lines a step saying what it proved; the long JSON goes
// to files in the folder. Servers run in this process, so nothing is left
// behind when it ends.

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "advertise/advertisement_signer.h"
#include "cache/cache_server.h"
#include "certs/base64.h"
#include "certs/credential_issuer.h"
#include "certs/json_fields.h"
#include "certs/key_pair.h"
#include "certs/passport.h"
#include "certs/pem.h"
#include "certs/pki_directory.h"
#include "directory/server/directory_server.h"
#include "tools/keydir/command.h"
#include "tools/keydir/demo_cps.h"
#include "tools/keydir/demo_steps.h"
#include "tools/keydir/options.h"
#include "tools/keydir/relying_party.h"

namespace keydir::tool {
namespace {

namespace fs = std::filesystem;

using namespace demo;

// While it lives, what goes to stderr goes to `file`: the in-process
// servers' own lines land in the folder instead of between the steps.
class StderrToFile {
 public:
  explicit StderrToFile(const fs::path& file)
      : file_(file, std::ios::app), previous_(std::cerr.rdbuf(file_.rdbuf())) {}
  ~StderrToFile() { std::cerr.rdbuf(previous_); }
  StderrToFile(const StderrToFile&) = delete;

 private:
  std::ofstream file_;
  std::streambuf* previous_;
};

class Demo {
 public:
  explicit Demo(fs::path dir) : narrator_(std::move(dir)), cps_(narrator_) {}

  void run() {
    const Instant now = nowInstant();
    makePki(now);
    startDirectory();
    registerKeys(now);
    startCache();
    cps_.start(cache_->baseUrl(), now);
    advertiseCps(now);
    refuseOverreach(now);
    cacheCatchesUp("it has the advertisement");
    nlohmann::json keys = resolveThroughCache(now);
    std::string passport = signCall(now);
    nlohmann::json jwes = encryptToEveryKey(passport, keys);
    cps_.store(jwes);
    std::string decrypted = cps_.calleeFetchesByPrefix();
    calleeVerifies(decrypted, passport, now);
    stopServers();
    directoryLogHoldsNoTn();
    cps_.logNamesNoCaller();
  }

  void stopServers() {
    cps_.stop();
    if (cache_) cache_->stop();
    if (directory_) directory_->stop();
    cache_.reset();
    directory_.reset();
    servers_log_.reset();
  }

 private:
  static IssueRequest request(std::string name, CertificateKind kind, std::string issuer,
                              const std::string& scope) {
    IssueRequest request;
    request.name = std::move(name);
    request.kind = kind;
    request.issuer = std::move(issuer);
    request.scopes = {orFail(TnScope::parse(scope), "scope " + scope)};
    return request;
  }

  void makePki(Instant now) {
    auto pki = orFail(PkiDirectory::init(narrator_.dir() / "pki", now), "making the STI-CA");
    party_.spc_map.add({orFail(TnScope::parse("1-12025550000-10000"), "map"), "1234"});
    narrator_.file("spc-map.csv", "# scope,spc\n1-12025550000-10000,1234\n");
    IssueRequest carrier =
        request("carrier", CertificateKind::kServiceProvider, "intermediate", "0-1234");
    carrier.scopes.push_back(orFail(TnScope::parse("1-13125550000-10000"), "scope"));
    orFail(pki.issue(carrier, now, &party_.spc_map), "issuing the carrier");
    orFail(pki.issue(
               request("reseller", CertificateKind::kDelegateCa, "carrier", "1-12025550000-1000"),
               now, &party_.spc_map),
           "issuing the reseller");
    orFail(pki.issue(request("acme", CertificateKind::kEnterprise, "reseller", "1-12025550100-100"),
                     now, &party_.spc_map),
           "issuing acme");
    party_.trust = orFail(TrustStore::load(pki.trustFile()), "loading trust.pem");
    narrator_.say(
        "PKI in pki/: an STI-CA; a carrier holding SPC 1234 and +13125550000-9999;",
        "a reseller, an RFC 9060 delegate CA under it; acme, an enterprise under the reseller "
        "(+12025550100-199).");
  }

  void startDirectory() {
    DirectoryConfig config;
    config.db = (narrator_.dir() / "directory.db").string();
    config.trust = (narrator_.dir() / "pki" / "trust.pem").string();
    config.spc_map = (narrator_.dir() / "spc-map.csv").string();
    config.listen = "127.0.0.1:0";
    config.access_log = (narrator_.dir() / "directory-access.log").string();
    servers_log_.emplace(narrator_.dir() / "servers.log");
    directory_ = orFail(DirectoryServer::create(config), "starting the directory");
    directory_->start();
    directory_url_ = "http://127.0.0.1:" + std::to_string(directory_->port());
    directory_client_.emplace(orFail(DirectoryClient::create(directory_url_, ""), "client"));
    narrator_.say("Directory on " + directory_url_ +
                      " (directory.db; its request log is "
                      "directory-access.log;",
                  "what the directory and the cache say goes to servers.log).");
  }

  // Makes a credential for `who`'s ECDH key, registers it, keeps the key.
  std::string registerKey(const std::string& who, KeyType type, Instant now) {
    Identity signer = narrator_.identity(who);
    auto issued = orFail(
        issueCredential(signer.chain, signer.key.get(), type, std::chrono::hours(24 * 7), now),
        "making " + who + "'s credential");
    narrator_.file(who + "-encryption-key.pem", privateKeyPem(issued.private_key.get()));
    auto answer =
        orFail(directory_client_->request("POST", "/v1/keys",
                                          registrationBody(issued.credential, signer.chain).dump(),
                                          "application/json"),
               "registering " + who + "'s key");
    if (answer.status != 201) throw DemoFailure{"registering " + who + "'s key: " + answer.body};
    std::string id = nlohmann::json::parse(answer.body).value("id", "");
    encryption_keys_[id] = who + "-encryption-key.pem";
    return id;
  }

  void registerKeys(Instant now) {
    std::string acme = registerKey("acme", KeyType::kX25519, now);
    std::string carrier = registerKey("carrier", KeyType::kP256, now);
    narrator_.say("Registered acme's X25519 key " + acme.substr(0, 12) +
                      "... and the carrier's P-256 key " + carrier.substr(0, 12) + "...,",
                  "each bound to its STIR certificate by a delegated credential (RFC 9345).");
  }

  void advertiseCps(Instant now) {
    Identity carrier = narrator_.identity("carrier");
    std::vector<CpsEntry> entries = {{orFail(TnScope::parse("0-1234"), "scope"), cps_.uri()}};
    std::string jws =
        orFail(signAdvertisement({entries, now, std::nullopt}, carrier.key.get(), carrier.chain),
               "signing the advertisement");
    auto answer =
        orFail(directory_client_->request("POST", "/v1/advertisements", jws, "application/jose"),
               "publishing the advertisement");
    if (answer.status != 201) throw DemoFailure{"publishing the advertisement: " + answer.body};
    narrator_.file("advertisement.jws", jws + "\n");
    narrator_.say("The carrier advertised its CPS " + cps_.uri() + " for SPC 1234,",
                  "signed with its STIR certificate (advertisement.jws).");
  }

  void refuseOverreach(Instant now) {
    // A certificate the reseller had no right to issue: numbers outside
    // everything it holds. The directory checks the whole path.
    IssueRequest rogue =
        request("rogue", CertificateKind::kEnterprise, "reseller", "1-14155550100-100");
    rogue.allow_overreach = true;
    orFail(orFail(PkiDirectory::open(narrator_.dir() / "pki"), "pki")
               .issue(rogue, now, &party_.spc_map),
           "issuing rogue");
    Identity signer = narrator_.identity("rogue");
    auto issued = orFail(issueCredential(signer.chain, signer.key.get(), KeyType::kX25519,
                                         std::chrono::hours(24), now),
                         "rogue's credential");
    auto answer =
        orFail(directory_client_->request("POST", "/v1/keys",
                                          registrationBody(issued.credential, signer.chain).dump(),
                                          "application/json"),
               "registering rogue's key");
    if (answer.status < 400)
      throw DemoFailure{"the directory took a key outside its signer's numbers"};
    nlohmann::json problem = nlohmann::json::parse(answer.body, nullptr, false);
    narrator_.say("A key for +14155550100-199 under the reseller, which holds none of them:");
    narrator_.refused(std::to_string(answer.status) + " " + textField(problem, "title") + ": " +
                      textField(problem, "detail"));
  }

  void startCache() {
    DirectoryConfig config;
    config.upstream = directory_url_;
    config.db = (narrator_.dir() / "cache.db").string();
    config.trust = (narrator_.dir() / "pki" / "trust.pem").string();
    config.spc_map = (narrator_.dir() / "spc-map.csv").string();
    config.listen = "127.0.0.1:0";
    config.access_log = (narrator_.dir() / "cache-access.log").string();
    config.poll_seconds = 2;
    cache_ = orFail(CacheServer::create(config), "starting the cache");
    cache_->start();
    cache_client_.emplace(orFail(DirectoryClient::create(cache_->baseUrl(), ""), "client"));
    const std::int64_t sequence = cacheCatchesUp("it copied the directory");
    narrator_.say("Cache (mirror mode) on " + cache_->baseUrl() +
                      ": it copied the directory at sequence " + std::to_string(sequence) + ",",
                  "verifying every record itself; from here the caller asks only the cache.");
  }

  // Waits until the cache has every change the directory has; its sequence.
  std::int64_t cacheCatchesUp(const std::string& why) {
    auto sequence = [](DirectoryClient& client) {
      auto meta = client.call("GET", "/v1/meta");
      if (!meta) return std::int64_t(-1);
      return nlohmann::json::parse(meta->body, nullptr, false).value("sequence", std::int64_t(-1));
    };
    const std::int64_t wanted = sequence(*directory_client_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (sequence(*cache_client_) != wanted) {
      if (std::chrono::steady_clock::now() > deadline) {
        throw DemoFailure{"the cache did not catch up within 30 s (" + why + ")"};
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return wanted;
  }

  nlohmann::json resolveThroughCache(Instant now) {
    Checked keys = orFail(checkedKeys(*cache_client_, kCallee, party_, now), "asking the cache");
    Checked cps =
        orFail(checkedCps(*cache_client_, kCallee, party_, now, false), "asking the cache");
    narrator_.file("resolve.json",
                   nlohmann::json{{"tn", kCallee},
                                  {"keys", keys.accepted},
                                  {"cps", cps.accepted},
                                  {"rejected", {{"keys", keys.rejected}, {"cps", cps.rejected}}}}
                           .dump(2) +
                       "\n");
    if (keys.accepted.size() != 2 || cps.accepted.size() != 1) {
      throw DemoFailure{"resolving through the cache gave " + std::to_string(keys.accepted.size()) +
                        " keys and " + std::to_string(cps.accepted.size()) + " CPS (resolve.json)"};
    }
    narrator_.say("Resolved +" + std::string(kCallee) +
                      " through the cache: " + std::to_string(keys.accepted.size()) +
                      " keys and the CPS " + textField(cps.accepted[0], "uri") + ",",
                  "each checked here against the STI-CA, not taken on trust (resolve.json).");
    return keys.accepted;
  }

  std::string signCall(Instant now) {
    Identity carrier = narrator_.identity("carrier");
    std::string passport =
        orFail(signPassport({kCaller, {kCallee}, now, "A", ""}, carrier.key.get(), carrier.chain),
               "signing the PASSporT");
    narrator_.file("passport.jws", passport + "\n");
    narrator_.say("The caller's authentication service signed a SHAKEN PASSporT from +" +
                  std::string(kCaller) + " to +" + kCallee + " (passport.jws).");
    return passport;
  }

  nlohmann::json encryptToEveryKey(const std::string& passport, const nlohmann::json& keys) {
    Encrypted encrypted = encryptToKeys(passport, keys);
    if (!encrypted.rejected.empty()) {
      throw DemoFailure{"encrypting: " + encrypted.rejected.dump()};
    }
    const nlohmann::json& jwes = encrypted.jwes;
    narrator_.file(
        "encrypted.json",
        nlohmann::json{{"tn", kCallee}, {"cps", {cps_.uri()}}, {"jwes", jwes}}.dump(2) + "\n");
    narrator_.say("Encrypted it to each of the callee's " + std::to_string(jwes.size()) +
                      " keys (ECDH-ES, A256GCM) (encrypted.json).",
                  "The CPS will see only ciphertext.");
    return jwes;
  }

  void calleeVerifies(const std::string& decrypted, const std::string& signed_passport,
                      Instant now) {
    if (decrypted != signed_passport) throw DemoFailure{"the decrypted PASSporT differs"};
    PassportCheck check;
    check.orig = kCaller;
    check.now = now;
    check.trust = &party_.trust;
    check.spc_map = &party_.spc_map;
    auto verified = orFail(verifyPassport(decrypted, check), "verifying the PASSporT");
    narrator_.say(
        "Verified as RFC 8816 section 8.2 asks: PASSporT type, calling number, chain to the "
        "STI-CA",
        "with +" + std::string(kCaller) +
            " in the signer's TNAuthList, freshness, signature: "
            "attestation " +
            textField(verified.claims, "attest") + ".");
    // Another called number in the claims, under the original signature.
    const std::size_t first = decrypted.find('.'), last = decrypted.rfind('.');
    nlohmann::json claims = verified.claims;
    claims["dest"]["tn"] = {"12025550151"};
    std::string tampered =
        decrypted.substr(0, first + 1) + base64UrlEncode(claims.dump()) + decrypted.substr(last);
    auto refusal = verifyPassport(tampered, check);
    if (refusal) throw DemoFailure{"a tampered PASSporT verified"};
    narrator_.say("The same PASSporT with its called number changed after signing:");
    narrator_.refused(refusal.error().message);
  }

  void directoryLogHoldsNoTn() {
    std::ifstream log(narrator_.dir() / "directory-access.log");
    std::size_t requests = 0, naming = 0;
    for (std::string line; std::getline(log, line);) {
      ++requests;
      if (line.find("2025550150") != std::string::npos ||
          line.find("/v1/tns/") != std::string::npos) {
        ++naming;
      }
    }
    if (requests == 0) throw DemoFailure{"the directory's request log is empty"};
    if (naming != 0) {
      throw DemoFailure{std::to_string(naming) + " lines of directory-access.log name a TN"};
    }
    narrator_.say(
        "The directory's request log holds " + std::to_string(requests) +
            " requests and none names the callee or any TN:",
        "the lookup went to the cache, which asked the directory only for its snapshot and "
        "changes.");
  }

  Narrator narrator_;
  RelyingParty party_;  // the caller's own anchors and SPC map
  std::unique_ptr<DirectoryServer> directory_;
  std::unique_ptr<CacheServer> cache_;
  DemoCps cps_;
  std::string directory_url_;
  std::optional<DirectoryClient> directory_client_, cache_client_;
  std::map<std::string, std::string> encryption_keys_;  // key id -> its PEM file
  std::optional<StderrToFile> servers_log_;
};

}  // namespace

int runDemo(const std::vector<std::string_view>& args) {
  Options options(
      "keydir demo [--dir DIR] [--keep]",
      "Runs the whole flow on loopback in a fresh folder: a PKI, a directory, a cache\n"
      "and a CPS over TLS, keys registered, the CPS advertised, a TN resolved through\n"
      "the cache, a PASSporT signed, encrypted to every key, left at the CPS, fetched\n"
      "by prefix among dummies, decrypted by the callee and verified, two refusals,\n"
      "and the request logs checked: the directory's names no TN, the CPS's no caller.\n"
      "Each "
      "step prints what it proved; the long JSON goes to files in the folder, which\n"
      "is removed at the end unless --keep (or --dir) is given.");
  options.value("dir", "the folder to use (must not exist); kept")
      .flag("keep", "keep the temporary folder");
  if (auto exit = options.parse(args)) return *exit;
  fs::path dir;
  if (auto chosen = options.get("dir")) {
    dir = *chosen;
    if (fs::exists(dir)) return options.usageError(dir.string() + " exists; give a new folder");
    fs::create_directories(dir);
  } else {
    std::string pattern = (fs::temp_directory_path() / "keydir-demo-XXXXXX").string();
    if (!mkdtemp(pattern.data())) return reportError({ErrorCode::kUnavailable, "no temp folder"});
    dir = pattern;
  }
  const bool keep = options.has("keep") || options.has("dir");
  std::cout << "keydir demo in " << dir.string() << "\n";
  const auto started = std::chrono::steady_clock::now();
  int status = kExitOk;
  {
    Demo demo(dir);
    try {
      demo.run();
    } catch (const DemoFailure& failure) {
      demo.stopServers();
      std::cerr << "keydir demo: failed: " << failure.what << "\n";
      status = kExitRefused;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << (status == kExitOk ? "Done" : "Stopped") << " in " << std::fixed
            << std::setprecision(1) << seconds << " s. ";
  if (keep || status != kExitOk) {
    std::cout << "The folder is kept: " << dir.string() << "\n";
  } else {
    std::error_code error;
    fs::remove_all(dir, error);
    std::cout << "The folder is removed (--keep keeps it).\n";
  }
  return status;
}

}  // namespace keydir::tool
