#include "directory/store/postgres_listener.h"

#include <poll.h>

namespace keydir {

Result<std::unique_ptr<PgChangeListener>> PgChangeListener::listen(const std::string& target) {
  PgConnPtr conn(PQconnectdb(target.c_str()));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    return fail(ErrorCode::kUnavailable, "cannot listen for changes at " + redactedTarget(target) +
                                             ": " +
                                             (conn ? PQerrorMessage(conn.get()) : "out of memory"));
  }
  PgResultPtr listening(PQexec(conn.get(), (std::string("LISTEN ") + kFeedChannel).c_str()));
  if (PQresultStatus(listening.get()) != PGRES_COMMAND_OK) {
    return fail(ErrorCode::kUnavailable,
                std::string("cannot listen for changes: ") + PQerrorMessage(conn.get()));
  }
  return std::unique_ptr<PgChangeListener>(new PgChangeListener(std::move(conn)));
}

bool PgChangeListener::takeNotices() {
  bool any = false;
  while (PGnotify* notice = PQnotifies(conn_.get())) {
    PQfreemem(notice);
    any = true;
  }
  return any;
}

Result<bool> PgChangeListener::wait(std::chrono::milliseconds timeout) {
  if (takeNotices()) return true;
  pollfd socket{PQsocket(conn_.get()), POLLIN, 0};
  if (socket.fd < 0)
    return fail(ErrorCode::kUnavailable, "the change listener lost its connection");
  const int ready = ::poll(&socket, 1, int(timeout.count()));
  if (ready <= 0) return false;  // nothing came (or a signal): the caller looks again
  if (!PQconsumeInput(conn_.get()) || PQstatus(conn_.get()) != CONNECTION_OK) {
    return fail(ErrorCode::kUnavailable, std::string("the change listener lost its connection: ") +
                                             PQerrorMessage(conn_.get()));
  }
  return takeNotices();
}

}  // namespace keydir
