#pragma once
// A PassportBoard over a memory store, with a fixed secret, asking a real
// directory on 127.0.0.1 for the keys of acme's number 12025550150: one
// X25519 key and one P-256 key, registered as an enterprise would. Times
// are passed to the board, so tests move them without sleeping.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "certs/base64.h"
#include "certs/credential_issuer.h"
#include "certs/jwe.h"
#include "cps/memory_entry_store.h"
#include "cps/passport_board.h"
#include "tests/directory/directory_server_fixture.h"

namespace keydir::testing {

inline constexpr const char* kCalled = "12025550150";

class CpsBoardTest : public DirectoryServerTest {
 protected:
  void SetUp() override {
    DirectoryServerTest::SetUp();
    startServer();
    for (KeyType type : {KeyType::kX25519, KeyType::kP256}) {
      auto issued = issueCredential(pki_->acme.chain, pki_->acme.key.get(), type,
                                    std::chrono::hours(24), pki_->now());
      ASSERT_TRUE(issued) << issued.error().message;
      HttpAnswer answer =
          post("/v1/keys", registrationBody(issued->credential, pki_->acme.chain).dump());
      ASSERT_EQ(answer.status, 201) << answer.body;
      keys_.push_back(std::move(issued->private_key));
      kids_.push_back(nlohmann::json::parse(answer.body)["id"]);
    }
    // The directory's order, which dummies follow and callers encrypt in.
    directory_order_ = idsFor(kCalled);
    ASSERT_EQ(directory_order_.size(), 2u);
    makeBoard(BoardRules{});
  }

  void makeBoard(const BoardRules& rules) {
    board_.reset();
    store_ = std::make_unique<MemoryEntryStore>();
    dummies_ = std::make_unique<DummyMaker>(std::string(32, 's'));
    auto client = DirectoryClient::create(client_->baseUrl());
    number_keys_ =
        std::make_unique<NumberKeys>(std::make_unique<DirectoryClient>(std::move(client.value())),
                                     *dummies_, std::chrono::seconds(300));
    board_ = std::make_unique<PassportBoard>(*store_, *number_keys_, *dummies_, rules);
  }

  // A time at the start of a tick of the default 2 s.
  Instant tickStart(long long seconds_after = 0) const {
    const long long base = unixTime(pki_->now()) / 2 * 2;
    return Instant(std::chrono::seconds(base + seconds_after));
  }

  // What a caller stores: `passport` encrypted to each key of the number,
  // in the directory's order.
  std::vector<std::string> callerEntry(const std::string& passport) const {
    std::vector<std::string> jwes;
    for (const std::string& kid : directory_order_) {
      const std::size_t index = kid == kids_[0] ? 0 : 1;
      jwes.push_back(encryptJwe(passport, keys_[index].get(), kid).value());
    }
    return jwes;
  }

  nlohmann::json numberAnswer(Instant at, const std::string& tn = kCalled) {
    auto answer = board_->numberAnswer(tn, at);
    EXPECT_TRUE(answer) << answer.error().message;
    return answer ? nlohmann::json::parse(**answer) : nlohmann::json();
  }

  static std::set<std::string> ids(const nlohmann::json& answer) {
    std::set<std::string> found;
    for (const auto& entry : answer["ppts"]) found.insert(entry["id"]);
    return found;
  }

  std::vector<EvpPkeyPtr> keys_;  // private halves, in registration order
  std::vector<std::string> kids_;
  std::vector<std::string> directory_order_;
  std::unique_ptr<MemoryEntryStore> store_;
  std::unique_ptr<DummyMaker> dummies_;
  std::unique_ptr<NumberKeys> number_keys_;
  std::unique_ptr<PassportBoard> board_;
};

// A PASSporT-sized text of `bytes` bytes.
inline std::string passportOf(std::size_t bytes, char fill = 'p') {
  return std::string(bytes, fill);
}

}  // namespace keydir::testing
