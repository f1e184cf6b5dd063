#pragma once
// A real directory (DirectoryServerTest) plus what the feed's tests share:
// revoking, reading snapshots and pages, and a digest computed from a
// snapshot independently of the store's own bookkeeping.

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "certs/jws.h"
#include "certs/pem.h"
#include "tests/directory/directory_server_fixture.h"
#include "tests/support/digest_by_hand.h"
#include "tests/support/test_postgres.h"

namespace keydir::testing {

class FeedTest : public DirectoryServerTest {
 protected:
  void SetUp() override {
    DirectoryServerTest::SetUp();
    config_.max_keys_per_signer_scope = 100000;
    config_.write_rate_per_second = 1e6;
    config_.write_burst = 1e6;
    config_.bucket_pad_bytes = 4096;
  }

  HttpAnswer revoke(const std::string& id, const std::string& jti) {
    nlohmann::json payload = {
        {"sub", id}, {"iat", clock_->now().time_since_epoch().count()}, {"jti", jti}};
    std::string jws =
        signJws({}, payload.dump(), pki_->carrier.key.get(), pki_->carrier.chain).value();
    return post("/v1/keys/" + id + "/revocation", jws);
  }
  nlohmann::json changes(std::int64_t since, const std::string& extra = "") {
    HttpAnswer answer = get("/v1/changes?since=" + std::to_string(since) + extra);
    EXPECT_EQ(answer.status, 200) << answer.body;
    return nlohmann::json::parse(answer.body);
  }
  KeyStore& directory_store() { return *server_->service().store; }
  nlohmann::json meta() { return nlohmann::json::parse(get("/v1/meta").body); }
  std::vector<nlohmann::json> snapshotLines(const std::string& query = "") {
    HttpAnswer answer = get("/v1/snapshot" + query);
    EXPECT_EQ(answer.status, 200);
    std::vector<nlohmann::json> lines;
    std::istringstream in(answer.body);
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
  }
  // The digest of a snapshot's records, worked out by hand.
  static std::string digestOf(const std::vector<nlohmann::json>& lines) {
    std::set<std::pair<std::string, std::string>> records;
    for (const auto& line : lines) {
      if (line["kind"] == "begin" || line["kind"] == "end") continue;
      records.emplace(line["kind"].get<std::string>(), line["id"].get<std::string>());
    }
    return digestByHand(records);
  }
};

// The same, with the directory's storage on each engine in turn.
class FeedEngineTest : public FeedTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    FeedTest::SetUp();
    config_.db = storeTarget(GetParam(), dir_);
  }
};

}  // namespace keydir::testing
