#pragma once
// A mirror's fresh snapshot, taken aside and swapped in whole (docs/design.md
// section 8): when the feed's digest and the replica disagree, the cache
// goes on serving its last good state while a snapshot streams into a file
// beside its own; only once that snapshot checks out (every record
// verified, its digest matching, its sequence not behind the one reached)
// are its pages copied over the replica in one transaction, so a lookup
// sees either the old state or the new, never a mix. A snapshot that does
// not check out is thrown away and leaves the replica as it was.

#include "cache/cache_service.h"
#include "directory/client/directory_client.h"
#include "directory/feed_follower.h"

namespace keydir {

Result<SyncReport> resnapshotAside(CacheService& service, DirectoryClient& upstream,
                                   const FollowerOptions& options);

}  // namespace keydir
