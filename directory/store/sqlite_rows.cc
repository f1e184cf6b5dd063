#include "directory/store/sqlite_rows.h"

#include <nlohmann/json.hpp>

#include "certs/hex.h"
#include "certs/pem.h"

namespace keydir {

Result<void> recordChange(Database& db, std::string_view kind, std::string_view id,
                          std::string_view op, Instant now) {
  auto statement = db.prepare("INSERT INTO changes(kind, id, op, at) VALUES (?1, ?2, ?3, ?4)");
  if (!statement) return std::unexpected(statement.error());
  return statement->bind(1, kind).bind(2, id).bind(3, op).bind(4, unixSeconds(now)).run();
}

Result<void> storeChain(Database& db, const std::vector<std::string>& chain_der,
                        const std::string& address) {
  auto cert = db.prepare("INSERT OR IGNORE INTO certs(sha256, der) VALUES (?1, ?2)");
  if (!cert) return std::unexpected(cert.error());
  nlohmann::json hashes = nlohmann::json::array();
  for (const auto& der : chain_der) {
    std::string hash = hexEncode(sha256(der));
    hashes.push_back(hash);
    cert->reset();
    if (auto ok = cert->bind(1, hash).bindBlob(2, der).run(); !ok) return ok;
  }
  auto chain = db.prepare("INSERT OR IGNORE INTO chains(sha256, cert_hashes) VALUES (?1, ?2)");
  if (!chain) return std::unexpected(chain.error());
  return chain->bind(1, address).bind(2, hashes.dump()).run();
}

}  // namespace keydir
