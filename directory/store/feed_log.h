#pragma once
// Writing the prefetch feed (docs/design.md section 7), inside the transaction of
// the write that causes it: every record entering or leaving the live set
// appends one change with the next sequence number, moves the digests by
// the record's term, and adds it to or takes it out of the bucket index
// (narrow records only). Because all of it commits or rolls back with the
// write itself, the feed, the digests and the index can never disagree
// with the records.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certs/instant.h"
#include "certs/tn_scope.h"
#include "directory/store/sqlite.h"

namespace keydir {

// Set when a store is opened; kept in feed_state. Changing either rebuilds
// the bucket index and the digests, and followers must take a snapshot.
struct FeedSettings {
  int bucket_bits = 16;             // multiple of 4, 8 to 24
  long long wide_threshold = 1000;  // numbers a narrow scope covers at most
};

// A record as the feed and the bucket index see it.
struct FeedItem {
  std::string_view kind;           // key, ad, spc
  std::string id;                  // key id, advertisement id, or the SPC entry's scope
  std::vector<TnScope> scopes;     // what it covers: decides wide, and its buckets
  std::string bucket_json;         // its JSON in a bucket answer
  std::optional<Instant> expires;  // keys and advertisements: a bucket answer's max-age
};

// The JSON of an advertisement and of an SPC-map entry in the feed and in
// bucket answers: {"id","jws"} and {"scope","spc"}.
std::string adItemJson(std::string_view id, std::string_view jws);
std::string spcItemJson(std::string_view scope, std::string_view spc);

// Appends a put. `body` is stored with the change only for SPC entries
// (keys and advertisements are read from their own tables). Returns the
// change's sequence number.
Result<std::int64_t> feedPut(Database& db, const FeedItem& item, std::string_view body,
                             Instant now);
// Appends a removal with its reason (revoked, expired, replaced, withdrawn)
// and detail (the proof, the newer id, or an operator's note), and marks a
// key or advertisement removed.
Result<std::int64_t> feedRemove(Database& db, const FeedItem& item, std::string_view reason,
                                std::string_view detail, Instant now);

// Takes a stored record out of the feed: false, and nothing written, when it
// is not in it (already removed, or no such record). An SPC entry's row must
// still be there; the caller deletes it afterwards.
Result<bool> removeFromFeed(Database& db, std::string_view kind, const std::string& id,
                            std::string_view reason, std::string_view detail, Instant now);

// For a batch of appends in one transaction (a bulk insert of keys): while
// it lives, the feed's head (sequence and digests) is kept in memory and
// written once, by write(), which the batch calls before it commits. Once a
// change each, the head's row was the batch's most written row, and on
// PostgreSQL each write left a version the next one passed over. Only the
// appends of this file touch the head meanwhile; nothing else may read
// feed_state on `db` until write() has run.
class HeldFeedHead {
 public:
  explicit HeldFeedHead(Database& db);
  ~HeldFeedHead();
  HeldFeedHead(const HeldFeedHead&) = delete;
  HeldFeedHead& operator=(const HeldFeedHead&) = delete;
  // Writes the head the appends left, if they moved it.
  Result<void> write();

 private:
  Database& db_;
};

// A stored record as the feed needs it: its scopes and bucket size.
Result<FeedItem> storedFeedItem(Database& db, std::string_view kind, const std::string& id);

struct FeedPosition {
  std::int64_t sequence = 0;        // the last change
  std::int64_t pruned_through = 0;  // changes up to here are no longer kept
};
// Where the feed stands; in a read transaction, as of its snapshot.
Result<FeedPosition> readFeedPosition(Database& db);

// Moves the head past `sequence` (when it is not already), with no change
// of its own: even a file that gets no records has moved on from the one it
// replaces.
Result<void> numberFeedAfter(Database& db, std::int64_t sequence);

// Makes feed_state agree with `settings`: on a database migrated from before
// the feed, or opened with other settings, rebuilds the bucket index, the
// wide flags and the digests from the live records, and marks the history
// before now as no longer kept. `progress(done, total)` is called now and
// then. Inside a transaction the caller holds.
Result<void> prepareFeed(Database& db, const FeedSettings& settings,
                         const std::function<void(std::size_t, std::size_t)>& progress);

}  // namespace keydir
