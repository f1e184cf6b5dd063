#include "tools/keydir/demo_cps.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "certs/certificate_issuer.h"
#include "certs/json_fields.h"
#include "certs/jwe.h"
#include "certs/key_pair.h"
#include "certs/pem.h"

namespace keydir::tool::demo {

namespace fs = std::filesystem;

// The carrier's CPS on loopback over HTTPS (advertised CPS URIs are
// https), with a certificate from a demo TLS CA in tls/. It asks the
// cache, not the directory, for each number's keys, to shape dummies.
void DemoCps::start(const std::string& directory_url, Instant now) {
  fs::create_directories(narrator_.dir() / "tls");
  EvpPkeyPtr ca_key = generateKey(KeyType::kP256), server_key = generateKey(KeyType::kP256);
  CertificateRequest ca;
  ca.common_name = "keydir demo TLS CA";
  ca.is_ca = true;
  ca.not_before = now - std::chrono::hours(1);
  ca.not_after = now + std::chrono::hours(24);
  X509Ptr ca_certificate =
      orFail(issueCertificate(ca, ca_key.get(), nullptr, ca_key.get()), "the demo TLS CA");
  CertificateRequest server = ca;
  server.common_name = "127.0.0.1";
  server.is_ca = false;
  server.subject_alt_names = {"IP:127.0.0.1", "DNS:localhost"};
  X509Ptr server_certificate =
      orFail(issueCertificate(server, server_key.get(), ca_certificate.get(), ca_key.get()),
             "the CPS's TLS certificate");
  narrator_.file("tls/ca.pem", certificatePem(ca_certificate.get()));
  narrator_.file("tls/cps.pem", certificatePem(server_certificate.get()));
  narrator_.file("tls/cps.key", privateKeyPem(server_key.get()));

  DirectoryConfig config;
  config.name = "127.0.0.1";
  config.listen = "127.0.0.1:0";
  config.directory = directory_url;
  config.tls_cert = (narrator_.dir() / "tls" / "cps.pem").string();
  config.tls_key = (narrator_.dir() / "tls" / "cps.key").string();
  config.access_log = (narrator_.dir() / "cps-access.log").string();
  config.trust = (narrator_.dir() / "pki" / "trust.pem").string();
  config.token_keys = (narrator_.dir() / "cps-token-keys.json").string();
  server_ = orFail(CpsServer::create(config), "starting the CPS");
  server_->start();
  uri_ = server_->baseUrl();
  client_.emplace(orFail(
      DirectoryClient::create(uri_, (narrator_.dir() / "tls" / "ca.pem").string()), "CPS client"));
  narrator_.say(
      "The carrier's CPS on " + uri_ + " (TLS from the demo CA in tls/; its request log is",
      "cps-access.log). It shapes its dummies from the keys the cache names.");
}

// The carrier's storage tokens: blind-signed for its STIR certificate,
// spent by stores the CPS cannot tie to it.
void DemoCps::fetchTokensAsTheCarrier() {
  Identity carrier = narrator_.identity("carrier");
  wallet_.cps = uri_;
  wallet_.name = "127.0.0.1";
  orFail(fetchStorageTokens(*client_, "", TokenHolder{&carrier.chain, carrier.key.get()}, 3,
                            wallet_, nowInstant()),
         "fetching storage tokens");
  orFail(writeTokenWallet(narrator_.dir() / "storage-tokens.json", wallet_), "writing the tokens");
  narrator_.say("The carrier fetched 3 storage tokens (Privacy Pass, blind RSA) with its STIR",
                "certificate (storage-tokens.json); the CPS signed them without seeing them.");
}

void DemoCps::store(const nlohmann::json& jwes) {
  fetchTokensAsTheCarrier();
  nlohmann::json body = {{"jwes", nlohmann::json::array()}};
  for (const auto& jwe : jwes) body["jwes"].push_back(textField(jwe, "jwe"));
  const std::string token = wallet_.tokens.back();
  wallet_.tokens.pop_back();
  auto answer = orFail(
      client_->request("POST", "/cps/" + std::string(kCallee) + "/ppts", body.dump(),
                       "application/json", {{"Authorization", privateTokenAuthorization(token)}}),
      "storing at the CPS");
  if (answer.status != 201) {
    throw DemoFailure{"storing at the CPS: " + errorFromProblem(answer).message};
  }
  stored_id_ = textField(nlohmann::json::parse(answer.body, nullptr, false), "id");
  narrator_.say(
      "The caller left them at the CPS as one entry under +" + std::string(kCallee) + ", id " +
          stored_id_ + ";",
      "spending one token, which the CPS cannot link to the carrier; it keeps the entry 60 s.");
}

// acme's verification service holds acme's key alone, and asks for every
// number under +1202555 so as not to tell the CPS which one it holds.
std::string DemoCps::calleeFetchesByPrefix() {
  auto key =
      orFail(loadPrivateKey(narrator_.dir() / "acme-encryption-key.pem"), "loading acme's key");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    auto answer = orFail(client_->call("GET", "/cps/prefix/1202555/ppts"), "fetching from the CPS");
    nlohmann::json entries = nlohmann::json::parse(answer.body, nullptr, false);
    narrator_.file("cps-prefix-answer.json", entries.dump(2) + "\n");
    for (const auto& entry : entries["ppts"]) {
      for (const auto& jwe : entry["jwes"]) {
        auto opened = decryptJwe(jwe.get<std::string>(), key.get());
        if (!opened) continue;
        if (textField(entry, "id") != stored_id_) throw DemoFailure{"acme opened a dummy"};
        narrator_.say(
            "The callee (acme) fetched every entry under +1202555 (" +
                std::to_string(entries["ppts"].size()) +
                ", all but one dummies; cps-prefix-answer.json)",
            "and opened the one JWE its key acme-encryption-key.pem opens; nothing else opens.");
        return opened->plaintext;
      }
    }
    // A store shows at the next tick when this one was already seen.
    if (std::chrono::steady_clock::now() > deadline) {
      throw DemoFailure{"the callee found no entry for its key at the CPS"};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

void DemoCps::logNamesNoCaller() {
  std::ifstream log(narrator_.dir() / "cps-access.log");
  std::size_t requests = 0;
  for (std::string line; std::getline(log, line);) {
    ++requests;
    if (line.find(std::string(kCaller).substr(1)) != std::string::npos ||
        line.find(std::string(kCallee).substr(1)) != std::string::npos) {
      throw DemoFailure{"cps-access.log names a number: " + line};
    }
  }
  if (requests == 0) throw DemoFailure{"the CPS's request log is empty"};
  narrator_.say("The CPS's request log holds " + std::to_string(requests) +
                    " requests: none names the caller, and the callee's number is cut;",
                "it saw ciphertext, and who asked for what by address only.");
}

void DemoCps::stop() {
  if (server_) server_->stop();
  server_.reset();
}

}  // namespace keydir::tool::demo
