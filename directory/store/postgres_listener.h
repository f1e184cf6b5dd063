#pragma once
// Notices from PostgreSQL's LISTEN/NOTIFY on a connection of their own: each
// writing transaction notifies kFeedChannel as it commits (postgres.cc), so
// that a directory process learns at once that another one wrote.

#include <chrono>
#include <memory>
#include <string>

#include "directory/store/postgres.h"

namespace keydir {

inline constexpr const char* kFeedChannel = "keydir_feed";

class PgChangeListener {
 public:
  // Connects to `target` and listens on kFeedChannel. kUnavailable when
  // the database cannot be reached.
  static Result<std::unique_ptr<PgChangeListener>> listen(const std::string& target);

  // Waits up to `timeout` for notices: true when at least one came (all
  // are taken), false when none did. kUnavailable when the connection is
  // lost; listen again.
  Result<bool> wait(std::chrono::milliseconds timeout);

 private:
  explicit PgChangeListener(PgConnPtr conn) : conn_(std::move(conn)) {}
  bool takeNotices();

  PgConnPtr conn_;
};

}  // namespace keydir
