// Fetches storage tokens from a CPS for benchmarks, as `keydir cps tokens`
// does (one TokenRequest, with its own JWT, per request), from THREADS
// keep-alive connections at once; prints the tokens issued per second
// (the sending alone is timed: the requests are made first and the tokens
// finalized after) and writes the tokens, one base64url line each, to OUT.
//
//   keydir-bench-tokens CPS_URL NAME CHAIN KEY COUNT THREADS OUT
//
// Or makes them here with the CPS's own current key, read from its key
// file, by the same blind, sign and finalize steps: the store figures need
// more tokens than the CPS issues in a minute, and a token made so is the
// one the CPS would have issued (the CPS checks it the same way).
//
//   keydir-bench-tokens --mint KEY_FILE NAME COUNT THREADS OUT

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "certs/base64.h"
#include "certs/pem.h"
#include "certs/privacy_pass.h"
#include "cps/storage_token_client.h"

namespace {

// Runs `work(t)` on `threads` threads and waits for them.
void onThreads(std::size_t threads, const std::function<void(std::size_t)>& work) {
  std::vector<std::thread> workers;
  for (std::size_t t = 0; t < threads; ++t) workers.emplace_back(work, t);
  for (auto& worker : workers) worker.join();
}

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
  onThreads(threads, [&](std::size_t t) {
    for (std::size_t i = t; i < count; i += threads) {
      auto draft = draftTokenRequest(token_key, challenge).value();
      auto response =
          issueTokenResponse(key->get(), parseTokenRequest(draft.request).value()).value();
      made[t].push_back(
          base64UrlEncodePadded(finalizeToken(token_key, draft.pending, response).value()));
    }
  });
  std::ofstream out(out_file);
  for (const auto& some : made) {
    for (const auto& token : some) out << token << "\n";
  }
  return 0;
}

// Sends `requests` over one keep-alive connection; the answers' bodies.
std::vector<std::string> sendAll(const Poco::URI& cps, const std::string& path,
                                 const std::vector<keydir::TokenRequestToSend>& requests,
                                 std::size_t first, std::size_t step) {
  Poco::Net::HTTPClientSession session(cps.getHost(), cps.getPort());
  session.setKeepAlive(true);
  std::vector<std::string> answers;
  for (std::size_t i = first; i < requests.size(); i += step) {
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, path,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setKeepAlive(true);
    request.setContentType("application/private-token-request");
    request.set("Authorization", requests[i].authorization);
    request.setContentLength(std::streamsize(requests[i].body.size()));
    session.sendRequest(request) << requests[i].body;
    Poco::Net::HTTPResponse response;
    std::istream& body = session.receiveResponse(response);
    std::string text(std::istreambuf_iterator<char>(body), {});
    answers.push_back(response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK ? text : "");
  }
  return answers;
}

// The issuance figure: every TokenRequest and its JWT made first, then
// only the sending is timed (what the CPS does), on keep-alive
// connections as a carrier's client would hold them; the tokens are
// finalized after.
int fetch(const std::string& url, const std::string& name, const std::string& chain_file,
          const std::string& key_file, std::size_t count, std::size_t threads,
          const std::string& out_file) {
  using namespace keydir;
  auto chain = loadCertificates(chain_file);
  auto key = loadPrivateKey(key_file);
  auto client = DirectoryClient::create(url);
  if (!chain || !key || !client) {
    std::cerr << "cannot load the certificate or its key, or reach " << url << "\n";
    return 1;
  }
  auto issuer = tokenIssuerOf(*client, "", nowInstant());
  if (!issuer) {
    std::cerr << "the issuer directory: " << issuer.error().message << "\n";
    return 1;
  }
  std::vector<TokenRequestToSend> requests(count);
  onThreads(threads, [&](std::size_t t) {
    for (std::size_t i = t; i < count; i += threads) {
      requests[i] =
          prepareTokenRequest(*issuer, name, TokenHolder{&*chain, key->get()}, nowInstant())
              .value();
    }
  });
  std::vector<std::vector<std::string>> answers(threads);
  const Poco::URI cps(url);
  const auto start = std::chrono::steady_clock::now();
  onThreads(threads, [&](std::size_t t) {
    answers[t] = sendAll(cps, issuer->request_uri, requests, t, threads);
  });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::ofstream out(out_file);
  std::size_t issued = 0;
  for (std::size_t t = 0; t < threads; ++t) {
    for (std::size_t k = 0; k < answers[t].size(); ++k) {
      auto token = tokenFromResponse(*issuer, requests[t + k * threads].pending, answers[t][k]);
      if (!token) continue;
      out << *token << "\n";
      ++issued;
    }
  }
  if (issued != count) std::cerr << count - issued << " of " << count << " were not issued\n";
  std::cout << static_cast<long long>(issued / seconds) << "\n";
  return issued == count ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 7 && std::string(argv[1]) == "--mint") {
    return mint(argv[2], argv[3], std::stoul(argv[4]), std::stoul(argv[5]), argv[6]);
  }
  if (argc != 8) {
    std::cerr << "usage: keydir-bench-tokens CPS_URL NAME CHAIN KEY COUNT THREADS OUT\n"
                 "       keydir-bench-tokens --mint KEY_FILE NAME COUNT THREADS OUT\n";
    return 2;
  }
  return fetch(argv[1], argv[2], argv[3], argv[4], std::stoul(argv[5]), std::stoul(argv[6]),
               argv[7]);
}
