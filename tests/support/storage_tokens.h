#pragma once
// Storage tokens for a test's CPS, fetched over HTTP as `keydir cps tokens`
// fetches them, by the test PKI's carrier; and the header that spends one.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "cps/storage_token_client.h"
#include "tests/support/test_pki.h"

namespace keydir::testing {

inline std::vector<std::string> storageTokens(DirectoryClient& cps, const Identity& holder,
                                              std::size_t count, Instant now,
                                              const std::string& name = "cps.test",
                                              const std::string& base_path = "") {
  TokenWallet wallet;
  wallet.name = name;
  auto fetched = fetchStorageTokens(cps, base_path, TokenHolder{&holder.chain, holder.key.get()},
                                    count, wallet, now);
  EXPECT_TRUE(fetched) << fetched.error().message;
  return wallet.tokens;
}

inline std::map<std::string, std::string> spending(const std::string& token) {
  return {{"Authorization", privateTokenAuthorization(token)}};
}

}  // namespace keydir::testing
