#include "cache/cache_log.h"

#include <iostream>

#include "directory/http/access_log.h"

namespace keydir {

void cacheSay(const std::string& line) { std::cerr << "keydir: cache: " << line << std::endl; }

void noteRefused(CacheService& service, const std::string& what, const std::string& reason,
                 const std::string& detail) {
  service.status->countRefused();
  service.cache_metrics->countRefused(reason);
  cacheSay("refused " + what + " (" + reason + "): " + redactNumbers(detail));
}

void noteRollbackRefused(CacheService& service, const std::string& why) {
  service.cache_metrics->countRollbackRefused();
  cacheSay(why);
}

}  // namespace keydir
