#pragma once
// What the cache tells its operator on stderr, and the two events it also
// counts: a record refused and a rollback refused. The feed poller and the
// bucket holder both report through here, so a refusal is logged, counted
// in /metrics and in /v1/meta the same way whichever way the record came.

#include <string>

#include "cache/cache_service.h"

namespace keydir {

// "keydir: cache: LINE" on stderr.
void cacheSay(const std::string& line);
// `what` names the record and where it came from; `detail`, which can name
// the numbers of a scope, is logged with them cut, as the access log does.
void noteRefused(CacheService& service, const std::string& what, const std::string& reason,
                 const std::string& detail);
void noteRollbackRefused(CacheService& service, const std::string& why);

}  // namespace keydir
