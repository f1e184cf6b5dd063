#pragma once
// The prefetch feed on the wire (docs/design.md section 7): snapshot lines, change
// pages and bucket answers as the directory writes them, and the same read
// back by a follower. One place for the format, so writer and reader agree.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "certs/error.h"
#include "directory/http/http_transport.h"
#include "directory/store/feed_store.h"

namespace keydir {

// Snapshot lines: {"kind":"begin","seq"}, one {"kind","id","body"} per
// record, {"kind":"end","seq","count","digest"}. Each ends with '\n'.
std::string snapshotBeginLine(std::int64_t seq);
std::string snapshotRecordLine(const SnapshotRecord& record);
std::string snapshotEndLine(const SnapshotEnd& end);

// {"since","to","more","digest","changes":[...]}
std::string changePageJson(const FeedPage& page);

// {"bucket","seq","keys","ads","spc","pad"}, "pad" holding the dots that
// make the whole a multiple of `pad_bytes` (0: no padding, "pad" empty).
// The records are joined in one buffer of their size; the dots are not
// written out but sent from one shared block: at a million keys an answer
// holds about fifteen key records and some 30 KB of padding, and each copy
// of either showed in profiles.
struct BucketJson {
  std::string records;   // from the opening brace to the opening quote of "pad"
  std::size_t dots = 0;  // the padding
  std::size_t size() const;
  // What is sent: `records`, the dots in pieces of a shared block, the end.
  std::vector<BodyPiece> pieces() const;
  std::string whole() const;
};
BucketJson bucketJson(const std::string& bucket_hex, const BucketContents& contents,
                      std::size_t pad_bytes = 0);

// What a follower reads. kMalformed names what is wrong with the text.
struct ParsedChange {
  std::int64_t seq = 0;
  std::string op, kind, id;
  nlohmann::json body;  // put
  std::string reason;   // remove
  std::string proof;    // revoked
  std::string by;       // replaced
};
struct ParsedPage {
  std::int64_t since = 0, to = 0;
  bool more = false;
  std::string digest;
  std::vector<ParsedChange> changes;
};
Result<ParsedPage> parseChangePage(std::string_view text);
Result<ParsedChange> parseChange(const nlohmann::json& change);

}  // namespace keydir
