#pragma once
// A real PostgreSQL for the storage tests (docs/design.md section 15). ctest starts
// one for the whole run (the `postgres` fixture, tools/test-postgres) and
// names its folder in KEYDIR_TEST_POSTGRES_DIR; a test program run by hand
// starts one of its own on first use and stops it at exit.

#include <string>
#include <string_view>

#include "tests/support/temp_dir.h"

namespace keydir::testing {

// The server's base URI (no database named).
std::string testPostgresServer();
// A new, empty database on it: its URI.
std::string freshPostgresDatabase();
// Where a test's store lives for `engine` ("sqlite" or "postgres"): a file
// in `dir`, or a fresh database.
std::string storeTarget(std::string_view engine, const TempDir& dir,
                        const std::string& file = "keydir.db");

// A server of a test's own, for tests that take it away and bring it back.
// Throws std::runtime_error when it cannot start.
class PrivatePostgres {
 public:
  PrivatePostgres();
  ~PrivatePostgres();
  PrivatePostgres(const PrivatePostgres&) = delete;
  PrivatePostgres& operator=(const PrivatePostgres&) = delete;

  const std::string& uri() const { return uri_; }
  std::string freshDatabase() const;
  // Stops the server (a fast shutdown: connections are cut) and starts it
  // again on the same port; false when it did not come back.
  bool halt();
  bool resume();

 private:
  bool run(const std::string& command, std::string* output = nullptr) const;

  TempDir dir_;
  std::string uri_;
};

}  // namespace keydir::testing
