#pragma once
// A directory (`keydir serve`), a recording and optionally lying proxy in
// front of it, and `keydir cache` following the directory through the
// proxy: each a real server on 127.0.0.1, the two keydir ones child
// processes.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "directory/client/directory_client.h"
#include "tests/support/keydir_process.h"
#include "tests/support/metric_value.h"
#include "tests/support/test_proxy.h"
#include "tests/tools/directory_cli_fixture.h"

namespace keydir::testing {

class CacheTest : public DirectoryCli {
 protected:
  void startDirectory() {
    directory_ = serve();
    proxy_ = std::make_unique<TestProxy>(directory_->url());
  }
  // A directory of `keys` keys, made by keydir-bench-keys and imported
  // before it opens its file; their numbers are in tns.txt.
  void startDirectoryHolding(int keys) {
    ASSERT_EQ(testing::runCommand(std::string(KEYDIR_BENCH_KEYS) + " " + pki_ + " " +
                                      std::to_string(keys) + " " + (dir_ / "keys.ndjson").string() +
                                      " " + (dir_ / "tns.txt").string(),
                                  nullptr),
              0);
    testing::keydirJson("import " + (dir_ / "keys.ndjson").string() + " --db " + db_ + " --trust " +
                        trust_);
    startDirectory();
  }
  // `keydir cache` through the proxy, polling every second unless told.
  void startCache(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> arguments = {"--upstream",   proxy_->url(),
                                          "--trust",      trust_,
                                          "--listen",     "127.0.0.1:0",
                                          "--db",         (dir_ / "cache.db").string(),
                                          "--access-log", "",
                                          "--set",        "poll_seconds=1"};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    cache_ = std::make_unique<KeydirProcess>("cache", arguments, dir_ / "cache.log");
    ASSERT_NE(cache_->port(), 0) << cache_->log();
  }

  HttpAnswer get(KeydirProcess& server, const std::string& path) {
    auto client = DirectoryClient::create(server.url()).value();
    auto answer = client.request("GET", path);
    EXPECT_TRUE(answer) << answer.error().message;
    return answer ? *answer : HttpAnswer{};
  }
  nlohmann::json getJson(KeydirProcess& server, const std::string& path) {
    return nlohmann::json::parse(get(server, path).body, nullptr, false);
  }
  // Waits up to `seconds` for `done`; false if it never held.
  bool eventually(const std::function<bool()>& done, int seconds = 20) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return done();
  }
  // True once the cache has reached the directory's present sequence.
  bool caughtUp() {
    auto meta = getJson(*cache_, "/v1/meta");
    return meta.is_object() && meta["sequence"] == getJson(*directory_, "/v1/meta")["sequence"];
  }
  // Registers a new acme key at the directory; returns its record.
  nlohmann::json registerKey() {
    std::string name = "k" + std::to_string(++credentials_);
    return keydirJson("register --server " + directory_->url() + " --credential " +
                      credential("acme", name));
  }
  void revokeKey(const std::string& id) {
    keydirJson("revoke " + id + " --server " + directory_->url() + " --cert " + pki_ +
               "/acme.chain.pem --key " + pki_ + "/acme.key");
  }
  // The value of one metric line ("name{labels}") in /metrics, 0 if absent.
  double metric(const std::string& line) {
    return metricValue(get(*cache_, "/metrics").body, line, 0);
  }
  std::vector<std::string> keyIds(const nlohmann::json& answer) {
    std::vector<std::string> ids;
    if (answer.is_object() && answer.contains("keys")) {
      for (const auto& key : answer["keys"]) ids.push_back(key["id"]);
    }
    return ids;
  }

  std::unique_ptr<ServeProcess> directory_;
  std::unique_ptr<TestProxy> proxy_;
  std::unique_ptr<KeydirProcess> cache_;
  int credentials_ = 0;
};

}  // namespace keydir::testing
