#include "directory/server/routes.h"

namespace keydir {

void serveMetrics(Exchange& exchange) {
  DirectoryService& service = directory(exchange);
  if (auto counts = service.counts(exchange.now())) {
    service.metrics->setLiveKeys(double(counts->keys));
    service.metrics->setSequence(double(counts->sequence));
  }
  if (service.lookup_answers) service.lookup_answers->report(*service.metrics);
  exchange.sendText(200, "text/plain; version=0.0.4", service.metrics->render());
}

}  // namespace keydir
