#include "directory/feed_format.h"
#include "directory/server/feed_query.h"
#include "directory/server/routes.h"

namespace keydir {

void serveSnapshot(Exchange& exchange) {
  auto wide = wideScopeAsked(exchange);
  if (!wide) return exchange.sendProblem(wide.error());
  std::ostream* out = nullptr;
  auto write = [&](const std::string& line) {
    out->write(line.data(), std::streamsize(line.size()));
    exchange.countBytes(line.size());
    return out->good();
  };
  // The live set at one sequence is always the same: its ETag names both.
  auto begin = [&](std::int64_t seq) {
    std::string etag =
        "\"snapshot-" + std::string(*wide ? "wide-" : "") + std::to_string(seq) + "\"";
    if (exchange.answeredNotModified(etag)) return false;
    out = &exchange.startStream(200, "application/x-ndjson");
    return write(snapshotBeginLine(seq));
  };
  auto end = directory(exchange).feed->snapshot(*wide, begin, [&](const SnapshotRecord& record) {
    return write(snapshotRecordLine(record));
  });
  if (!end) {
    // Once streaming, a failure can only cut the stream: without its end
    // line the client discards it.
    if (!exchange.sent()) exchange.sendProblem(end.error());
    return;
  }
  if (*end) write(snapshotEndLine(**end));
}

}  // namespace keydir
