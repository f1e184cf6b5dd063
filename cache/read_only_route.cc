#include "cache/routes.h"

namespace keydir {

void serveReadOnly(Exchange& exchange) {
  exchange.setHeader("Allow", "GET");
  exchange.sendProblem({ErrorCode::kReadOnly,
                        "this is a keydir cache, which accepts no writes: "
                        "send them to the directory at " +
                            cache(exchange).config.upstream});
}

}  // namespace keydir
