#include <algorithm>

#include "directory/server/routes.h"

namespace keydir {

void serveCertificates(Exchange& exchange) {
  const std::string& address = exchange.param(0);
  bool is_hex = address.size() == 64 && std::all_of(address.begin(), address.end(), [](char c) {
                  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                });
  if (!is_hex) {
    return exchange.sendProblem(
        {ErrorCode::kMalformed, "certificate address must be 64 lowercase hex digits (SHA-256)"});
  }
  auto pem = directory(exchange).store->certificatesPem(address);
  if (!pem) return exchange.sendProblem(pem.error());
  if (!*pem)
    return exchange.sendProblem({ErrorCode::kNotFound, "no chain or certificate " + address});
  // Content-addressed, so it never changes.
  exchange.setHeader("Cache-Control", "public, max-age=31536000, immutable");
  exchange.sendText(200, "application/pem-certificate-chain", **pem);
}

}  // namespace keydir
