#include "directory/server/routes.h"

namespace keydir {
namespace {

// `curl --data @ad.jws` keeps the file's final newline; a JWS never has
// whitespace, so trimming it only helps.
std::string_view trimmed(std::string_view text) {
  const char* space = " \t\r\n";
  std::size_t first = text.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(space) - first + 1);
}

}  // namespace

void servePostAdvertisement(Exchange& exchange) {
  if (!exchange.admitWrite()) return;
  auto body = exchange.body();
  if (!body) return exchange.sendProblem(body.error());
  auto publication = directory(exchange).advertisements->publish(trimmed(*body), exchange.now());
  if (!publication) return exchange.sendProblem(publication.error());
  directory(exchange).metrics->countPublication(publication->created);
  if (publication->created) {
    exchange.setHeader("Location", directory(exchange).config.effectivePublicUrl() +
                                       "/v1/advertisements/" + publication->id);
  }
  exchange.sendJson(publication->created ? 201 : 200, publication->record.dump());
}

}  // namespace keydir
