// Several `keydir serve` processes on one PostgreSQL database
// (docs/design.md section 15), each taking reads and writes: the feed stays in
// commit order across them, every acknowledged write is kept exactly once,
// a lookup at one sees a key registered at another, and losing one process
// loses nothing the other acknowledged.

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "certs/credential_issuer.h"
#include "certs/jws.h"
#include "directory/client/directory_client.h"
#include "tests/support/digest_by_hand.h"
#include "tests/support/keydir_process.h"
#include "tests/support/test_pki.h"
#include "tests/support/test_postgres.h"

namespace keydir {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using testing::Identity;
using testing::KeydirProcess;

class SharedDatabaseTest : public testing::SharedPkiTest {
 protected:
  void SetUp() override {
    database_ = testing::freshPostgresDatabase();
    testing::writeText(dir_ / "map.csv", "1-12025550000-10000,1234\n");
  }

  std::unique_ptr<KeydirProcess> serve(const std::string& name,
                                       const std::vector<std::string>& extra = {}) {
    std::vector<std::string> arguments = {"--db",         database_,
                                          "--trust",      pki_->directory().trustFile().string(),
                                          "--listen",     "127.0.0.1:0",
                                          "--spc-map",    (dir_ / "map.csv").string(),
                                          "--access-log", "",
                                          "--set",        "write_rate_per_second=1000000",
                                          "--set",        "write_burst=1000000",
                                          "--set",        "max_keys_per_signer_scope=100000"};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    auto server = std::make_unique<KeydirProcess>("serve", arguments, dir_ / (name + ".log"));
    EXPECT_NE(server->port(), 0) << server->log();
    return server;
  }

  static std::string body(const Identity& who) {
    auto issued =
        issueCredential(who.chain, who.key.get(), KeyType::kX25519, hours(24), pki_->now());
    return registrationBody(issued.value().credential, who.chain).dump();
  }
  static std::string revocation(const Identity& signer, const std::string& id,
                                const std::string& jti) {
    nlohmann::json payload = {
        {"sub", id}, {"iat", nowInstant().time_since_epoch().count()}, {"jti", jti}};
    return signJws({}, payload.dump(), signer.key.get(), signer.chain).value();
  }
  static Result<HttpAnswer> request(const KeydirProcess& server, const std::string& method,
                                    const std::string& path, const std::string& payload = "") {
    auto client = DirectoryClient::create(server.url());
    if (!client) return std::unexpected(client.error());
    return client->request(method, path, payload, "application/json");
  }
  static nlohmann::json getJson(const KeydirProcess& server, const std::string& path) {
    auto answer = request(server, "GET", path);
    if (!answer || answer->status != 200) return nullptr;
    return nlohmann::json::parse(answer->body);
  }

  testing::TempDir dir_;
  std::string database_;
};

// What a follower of the feed saw: each change's sequence, and the live set
// it builds, checked as it reads.
struct Follower {
  std::int64_t since = 0;
  std::set<std::pair<std::string, std::string>> live;
  std::map<std::string, int> puts, removes;  // key id -> times seen
  std::vector<std::string> faults;

  // Reads every page after `since` from `server`.
  void readFrom(const KeydirProcess& server) {
    for (;;) {
      auto client = DirectoryClient::create(server.url());
      if (!client) return;
      auto answer =
          client->request("GET", "/v1/changes?since=" + std::to_string(since) + "&limit=500");
      if (!answer || answer->status != 200) return;
      auto page = nlohmann::json::parse(answer->body);
      for (const auto& change : page["changes"]) {
        const std::int64_t seq = change["seq"];
        if (seq <= since) {
          faults.push_back("change " + std::to_string(seq) + " after " + std::to_string(since));
        }
        since = seq;
        std::pair<std::string, std::string> record{change["kind"], change["id"]};
        if (change["op"] == "put") {
          live.insert(record);
          if (record.first == "key") ++puts[record.second];
        } else {
          live.erase(record);
          if (record.first == "key") ++removes[record.second];
        }
      }
      if (!page.value("more", false)) return;
    }
  }
};

TEST_F(SharedDatabaseTest, TwoDirectoriesTakeWritesAtOnceAndTheFeedKeepsCommitOrder) {
  auto first = serve("first");
  auto second = serve("second");
  ASSERT_NE(first->port(), 0);
  ASSERT_NE(second->port(), 0);
  const KeydirProcess* directories[] = {first.get(), second.get()};

  constexpr int kClients = 4;
  constexpr int kPerClient = 400;
  std::vector<std::vector<std::string>> bodies(kClients);
  for (auto& mine : bodies) {
    for (int i = 0; i < kPerClient; ++i) mine.push_back(body(pki_->acme));
  }
  std::mutex acknowledged_mutex;
  std::set<std::string> registered, revoked;
  std::atomic<int> refused{0};
  std::atomic<bool> writing{true};

  Follower follower;
  std::thread follow([&] {
    for (int turn = 0; writing; ++turn) {
      follower.readFrom(*directories[turn % 2]);
      std::this_thread::sleep_for(milliseconds(20));
    }
  });
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < kPerClient; ++i) {
        const KeydirProcess& here = *directories[(c + i) % 2];
        auto answer = request(here, "POST", "/v1/keys", bodies[std::size_t(c)][std::size_t(i)]);
        if (!answer || answer->status != 201) {
          ++refused;
          continue;
        }
        const std::string id = nlohmann::json::parse(answer->body)["id"];
        {
          std::lock_guard lock(acknowledged_mutex);
          registered.insert(id);
        }
        if (i % 4 != 0) continue;
        // Revoked through the other directory.
        const KeydirProcess& there = *directories[(c + i + 1) % 2];
        auto revoking = request(there, "POST", "/v1/keys/" + id + "/revocation",
                                revocation(pki_->acme, id, "j-" + id));
        if (!revoking || revoking->status != 200) {
          ++refused;
          continue;
        }
        std::lock_guard lock(acknowledged_mutex);
        revoked.insert(id);
      }
    });
  }
  for (auto& client : clients) client.join();
  writing = false;
  follow.join();

  EXPECT_EQ(refused, 0);
  EXPECT_EQ(registered.size(), std::size_t(kClients * kPerClient));
  const auto meta_first = getJson(*first, "/v1/meta");
  const auto meta_second = getJson(*second, "/v1/meta");
  ASSERT_FALSE(meta_first.is_null());
  EXPECT_EQ(meta_first["sequence"], meta_second["sequence"]);
  EXPECT_EQ(meta_first["digest"], meta_second["digest"]);
  follower.readFrom(*second);
  EXPECT_EQ(follower.since, meta_first["sequence"].get<std::int64_t>());
  EXPECT_TRUE(follower.faults.empty()) << follower.faults.front();
  for (const auto& id : registered) {
    EXPECT_EQ(follower.puts[id], 1) << "key " << id;
    EXPECT_EQ(follower.removes[id], revoked.contains(id) ? 1 : 0) << "key " << id;
  }
  EXPECT_EQ(follower.puts.size(), registered.size()) << "a put nobody was told of";
  EXPECT_EQ(testing::digestByHand(follower.live), meta_first["digest"]);
}

TEST_F(SharedDatabaseTest, ALookupAtOneSeesAKeyRegisteredAtTheOtherByItsNotice) {
  // Polling once a minute: only the notice can bring the change sooner.
  auto first = serve("first");
  auto second = serve("second", {"--set", "peer_poll_ms=60000"});
  ASSERT_EQ(getJson(*second, "/v1/meta")["peer_poll_ms"], 60000);
  const std::string tn = "12025550150";
  // The answer without the key is held at the second directory first.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(getJson(*second, "/v1/tns/" + tn + "/keys")["keys"].size(), 0u);
  }
  auto answer = request(*first, "POST", "/v1/keys", body(pki_->acme));
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 201) << answer->body;
  const std::string id = nlohmann::json::parse(answer->body)["id"];
  bool seen = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!seen && std::chrono::steady_clock::now() < deadline) {
    const auto found = getJson(*second, "/v1/tns/" + tn + "/keys");
    seen = !found.is_null() && found["keys"].size() == 1 && found["keys"][0]["id"] == id;
    if (!seen) std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_TRUE(seen) << "the second directory still answers without the key";
}

TEST_F(SharedDatabaseTest, KillingOneDirectoryMidWriteLosesNothingTheOtherKeepsServing) {
  auto first = serve("first");
  auto second = serve("second");
  std::mutex acknowledged_mutex;
  std::set<std::string> registered;
  std::atomic<bool> killed{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < 2; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < 300; ++i) {
        const KeydirProcess& here = c == 0 ? *first : *second;
        if (c == 0 && killed) return;
        auto answer = request(here, "POST", "/v1/keys", body(pki_->acme));
        if (!answer || answer->status != 201) continue;  // the killed one stops answering
        std::lock_guard lock(acknowledged_mutex);
        registered.insert(nlohmann::json::parse(answer->body)["id"].get<std::string>());
      }
    });
  }
  std::this_thread::sleep_for(milliseconds(700));
  first->kill9();
  killed = true;
  for (auto& client : clients) client.join();
  ASSERT_GT(registered.size(), 300u) << "too few writes before the kill to tell anything";

  // The survivor answers, and holds everything either acknowledged.
  auto health = request(*second, "GET", "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  Follower follower;
  follower.readFrom(*second);
  for (const auto& id : registered) EXPECT_EQ(follower.puts[id], 1) << "key " << id;
  EXPECT_EQ(testing::digestByHand(follower.live), getJson(*second, "/v1/meta")["digest"]);
  // A new directory process on the same database carries on from there.
  auto third = serve("third");
  EXPECT_EQ(getJson(*third, "/v1/meta")["digest"], getJson(*second, "/v1/meta")["digest"]);
}

TEST_F(SharedDatabaseTest, TheDatabaseGoingAwayGives503sAndItsReturnNeedsNoRestart) {
  testing::PrivatePostgres postgres;
  database_ = postgres.freshDatabase();
  auto directory = serve("directory");
  ASSERT_NE(directory->port(), 0);
  std::vector<std::string> bodies;
  for (int i = 0; i < 400; ++i) bodies.push_back(body(pki_->acme));

  std::mutex seen_mutex;
  std::map<int, int> statuses;
  std::set<std::string> registered;
  std::atomic<bool> loading{true};
  std::thread load([&] {
    for (std::size_t i = 0; loading && i < bodies.size(); ++i) {
      auto written = request(*directory, "POST", "/v1/keys", bodies[i]);
      auto looked = request(*directory, "GET", "/v1/tns/12025550150/keys");
      std::lock_guard lock(seen_mutex);
      for (const auto* answer : {&written, &looked}) statuses[*answer ? (*answer)->status : -1]++;
      if (written && written->status == 201) {
        registered.insert(nlohmann::json::parse(written->body)["id"].get<std::string>());
      }
      std::this_thread::sleep_for(milliseconds(5));
    }
  });
  std::this_thread::sleep_for(milliseconds(800));
  ASSERT_TRUE(postgres.halt());
  std::this_thread::sleep_for(milliseconds(500));
  // While it is away: unavailable, with when to come back and why.
  auto health = request(*directory, "GET", "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);
  EXPECT_NE(health->body.find("storage does not answer"), std::string::npos) << health->body;
  auto refused = request(*directory, "POST", "/v1/keys", body(pki_->acme));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503) << refused->body;
  EXPECT_EQ(refused->headers["retry-after"], "1");
  std::size_t before_return;
  {
    std::lock_guard lock(seen_mutex);
    before_return = registered.size();
  }
  ASSERT_TRUE(postgres.resume());
  // Back by itself: writes are taken again, with no restart of keydir.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    {
      std::lock_guard lock(seen_mutex);
      if (registered.size() >= before_return + 20) break;
    }
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "no write taken since the return";
    std::this_thread::sleep_for(milliseconds(50));
  }
  loading = false;
  load.join();
  auto healthy = request(*directory, "GET", "/healthz");
  EXPECT_EQ(healthy->status, 200) << healthy->body;
  for (const auto& [status, count] : statuses) {
    EXPECT_TRUE(status == 200 || status == 201 || status == 503)
        << count << " answers with status " << status;
  }
  EXPECT_GT(statuses[503], 0);
  Follower follower;
  follower.readFrom(*directory);
  for (const auto& id : registered) EXPECT_EQ(follower.puts[id], 1) << "key " << id;
}

}  // namespace
}  // namespace keydir
