#include "directory/client/chain_fetch.h"

#include "certs/pem.h"
#include "directory/client/directory_client.h"

namespace keydir {

Result<std::vector<X509Ptr>> fetchChain(const std::string& url, const std::string& tls_ca) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return fail(ErrorCode::kMalformed, "x5u '" + url.substr(0, 80) + "' is not an absolute URL");
  }
  const auto host_end = url.find('/', scheme_end + 3);
  const std::string base = url.substr(0, host_end);
  const std::string path = host_end == std::string::npos ? "/" : url.substr(host_end);
  auto client = DirectoryClient::create(base, tls_ca);
  if (!client) return std::unexpected(client.error());
  auto answer = client->call("GET", path);
  if (!answer) return std::unexpected(answer.error());
  return certificatesFromPem(answer->body);
}

}  // namespace keydir
