#include "tests/support/test_postgres.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace keydir::testing {
namespace {

std::string firstLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Makes a database with a name no other test of any process has used.
std::string createDatabase(const std::string& server) {
  static std::atomic<int> made{0};
  const std::string name =
      "keydir_" + std::to_string(getpid()) + "_" + std::to_string(made.fetch_add(1));
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb((server + "/postgres").c_str()),
                                                    &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    throw std::runtime_error("test PostgreSQL: " + std::string(PQerrorMessage(conn.get())));
  }
  std::unique_ptr<PGresult, decltype(&PQclear)> made_db(
      PQexec(conn.get(), ("CREATE DATABASE " + name).c_str()), &PQclear);
  if (PQresultStatus(made_db.get()) != PGRES_COMMAND_OK) {
    throw std::runtime_error("test PostgreSQL: " +
                             std::string(PQresultErrorMessage(made_db.get())));
  }
  return server + "/" + name;
}

}  // namespace

PrivatePostgres::PrivatePostgres() {
  std::string output;
  if (!run("start", &output)) throw std::runtime_error("could not start a PostgreSQL: " + output);
  uri_ = firstLine(readText(dir_ / "uri"));
}

PrivatePostgres::~PrivatePostgres() { run("stop"); }

bool PrivatePostgres::run(const std::string& command, std::string* output) const {
  std::string ignored;
  return runCommand(std::string(KEYDIR_SOURCE_DIR) + "/tools/test-postgres " + command + " " +
                        dir_.path().string(),
                    output ? output : &ignored) == 0;
}

std::string PrivatePostgres::freshDatabase() const { return createDatabase(uri_); }
bool PrivatePostgres::halt() { return run("halt"); }
bool PrivatePostgres::resume() { return run("resume"); }

std::string testPostgresServer() {
  static std::once_flag once;
  static std::string uri;
  static std::unique_ptr<PrivatePostgres> own;
  std::call_once(once, [] {
    if (const char* dir = std::getenv("KEYDIR_TEST_POSTGRES_DIR")) {
      uri = firstLine(readText(std::string(dir) + "/uri"));
    }
    if (uri.empty()) {
      own = std::make_unique<PrivatePostgres>();
      uri = own->uri();
    }
  });
  return uri;
}

std::string freshPostgresDatabase() { return createDatabase(testPostgresServer()); }

std::string storeTarget(std::string_view engine, const TempDir& dir, const std::string& file) {
  if (engine == "postgres") return freshPostgresDatabase();
  return (dir / file).string();
}

}  // namespace keydir::testing
