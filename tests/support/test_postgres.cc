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

// A server this process started, stopped when the process ends.
struct OwnServer {
  TempDir dir;
  std::string uri;
  ~OwnServer() {
    std::string output;
    runCommand(std::string(KEYDIR_SOURCE_DIR) + "/tools/test-postgres stop " + dir.path().string(),
               &output);
  }
};

std::string startOwnServer() {
  static std::unique_ptr<OwnServer> own;
  own = std::make_unique<OwnServer>();
  std::string output;
  const int status = runCommand(
      std::string(KEYDIR_SOURCE_DIR) + "/tools/test-postgres start " + own->dir.path().string(),
      &output);
  if (status != 0) throw std::runtime_error("could not start a test PostgreSQL: " + output);
  own->uri = readText(own->dir / "uri");
  while (!own->uri.empty() && own->uri.back() == '\n') own->uri.pop_back();
  return own->uri;
}

}  // namespace

std::string testPostgresServer() {
  static std::once_flag once;
  static std::string uri;
  std::call_once(once, [] {
    if (const char* dir = std::getenv("KEYDIR_TEST_POSTGRES_DIR")) {
      uri = readText(std::string(dir) + "/uri");
      while (!uri.empty() && uri.back() == '\n') uri.pop_back();
    }
    if (uri.empty()) uri = startOwnServer();
  });
  return uri;
}

std::string freshPostgresDatabase() {
  static std::atomic<int> made{0};
  const std::string name =
      "keydir_" + std::to_string(getpid()) + "_" + std::to_string(made.fetch_add(1));
  const std::string server = testPostgresServer();
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

std::string storeTarget(std::string_view engine, const TempDir& dir, const std::string& file) {
  if (engine == "postgres") return freshPostgresDatabase();
  return (dir / file).string();
}

}  // namespace keydir::testing
