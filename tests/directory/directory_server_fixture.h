#pragma once
// A real directory on 127.0.0.1 with a fresh SQLite file, the shared test
// PKI's anchors and SPC map, a fake clock, and a client to talk to it.

#include <Poco/URI.h>
#include <gtest/gtest.h>

#include "certs/credential_issuer.h"
#include "directory/client/directory_client.h"
#include "directory/server/directory_server.h"
#include "tests/support/test_pki.h"

namespace keydir::testing {

class DirectoryServerTest : public SharedPkiTest {
 protected:
  void SetUp() override {
    clock_ = std::make_unique<ManualClock>(pki_->now());
    writeText(dir_ / "map.csv", "1-12025550000-10000,1234\n");
    config_.db = (dir_ / "keydir.db").string();
    config_.trust = pki_->directory().trustFile().string();
    config_.listen = "127.0.0.1:0";
    config_.spc_map = (dir_ / "map.csv").string();
    config_.access_log = (dir_ / "access.log").string();
  }
  void TearDown() override { stopServer(); }
  // Serves HTTPS with a certificate for 127.0.0.1 made by openssl, which
  // the test's client trusts.
  void useTls() {
    std::string output;
    int status = runCommand("cd " + dir_.path().string() +
                                " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256"
                                " -nodes -keyout tls.key -out tls.pem -days 2 -subj /CN=127.0.0.1"
                                " -addext subjectAltName=IP:127.0.0.1,DNS:localhost",
                            &output);
    ASSERT_EQ(status, 0) << output;
    config_.tls_cert = (dir_ / "tls.pem").string();
    config_.tls_key = (dir_ / "tls.key").string();
    tls_ca_ = config_.tls_cert;
  }

  void startServer() {
    auto server = DirectoryServer::create(config_, clock_.get());
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    server_->start();
    std::string scheme = config_.usesTls() ? "https" : "http";
    client_ = std::make_unique<DirectoryClient>(
        DirectoryClient::create(scheme + "://127.0.0.1:" + std::to_string(server_->port()), tls_ca_)
            .value());
  }
  void stopServer() {
    if (server_) server_->stop();
    server_.reset();
  }

  static std::string body(const Identity& who,
                          std::chrono::hours valid_for = std::chrono::hours(24)) {
    auto issued =
        issueCredential(who.chain, who.key.get(), KeyType::kX25519, valid_for, pki_->now());
    return registrationBody(issued.value().credential, who.chain).dump();
  }
  HttpAnswer post(const std::string& path, const std::string& payload) {
    return client_->request("POST", path, payload, "application/json").value();
  }
  HttpAnswer get(const std::string& path) { return client_->request("GET", path).value(); }
  std::string registered(const Identity& who,
                         std::chrono::hours valid_for = std::chrono::hours(24)) {
    HttpAnswer answer = post("/v1/keys", body(who, valid_for));
    EXPECT_EQ(answer.status, 201) << answer.body;
    return nlohmann::json::parse(answer.body).value("id", "");
  }
  std::vector<std::string> idsFor(const std::string& tn) {
    std::string path;
    Poco::URI::encode("/v1/tns/" + tn + "/keys", "+ ()", path);
    HttpAnswer answer = get(path);
    EXPECT_EQ(answer.status, 200) << answer.body;
    std::vector<std::string> ids;
    nlohmann::json found = nlohmann::json::parse(answer.body);
    for (const auto& key : found["keys"]) ids.push_back(key["id"]);
    return ids;
  }
  static void expectProblem(const HttpAnswer& answer, int status, const std::string& type,
                            const std::string& says) {
    EXPECT_EQ(answer.status, status) << answer.body;
    EXPECT_EQ(answer.headers.at("content-type"), "application/problem+json");
    nlohmann::json problem = nlohmann::json::parse(answer.body);
    EXPECT_EQ(problem["type"], "https://keydir.example/problems/" + type);
    EXPECT_EQ(problem["status"], status);
    EXPECT_NE(problem["detail"].get<std::string>().find(says), std::string::npos)
        << problem["detail"];
  }

  TempDir dir_;
  std::unique_ptr<ManualClock> clock_;
  DirectoryConfig config_;
  std::string tls_ca_;
  std::unique_ptr<DirectoryServer> server_;
  std::unique_ptr<DirectoryClient> client_;
};

}  // namespace keydir::testing
