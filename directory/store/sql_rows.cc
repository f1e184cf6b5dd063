#include "directory/store/sql_rows.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "certs/hex.h"
#include "certs/pem.h"

namespace keydir {

std::string scopeText(const std::vector<TnScope>& scopes) {
  std::vector<std::string> texts = scopeStrings(scopes);
  std::sort(texts.begin(), texts.end());
  std::string text;
  for (const auto& t : texts) {
    if (!text.empty()) text += ' ';
    text += t;
  }
  return text;
}

std::vector<TnScope> scopesFromText(const std::string& text) {
  std::vector<TnScope> scopes;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    if (auto scope = TnScope::parse(std::string_view(text).substr(start, end - start))) {
      scopes.push_back(std::move(*scope));
    }
    start = end + 1;
  }
  return scopes;
}

Result<void> storeChain(Database& db, const std::vector<std::string>& chain_der,
                        const std::string& address) {
  // One statement for the whole chain: on PostgreSQL each is a message
  // the server parses and plans.
  std::string sql = "INSERT INTO certs(sha256, der) VALUES ";
  for (std::size_t i = 0; i < chain_der.size(); ++i) {
    if (i) sql += ", ";
    sql += "(?" + std::to_string(2 * i + 1) + ", ?" + std::to_string(2 * i + 2) + ")";
  }
  nlohmann::json hashes = nlohmann::json::array();
  if (!chain_der.empty()) {
    auto certs = db.prepare(sql + " ON CONFLICT DO NOTHING");
    if (!certs) return std::unexpected(certs.error());
    for (std::size_t i = 0; i < chain_der.size(); ++i) {
      std::string hash = hexEncode(sha256(chain_der[i]));
      hashes.push_back(hash);
      certs->bind(int(2 * i + 1), hash).bindBlob(int(2 * i + 2), chain_der[i]);
    }
    if (auto ok = certs->run(); !ok) return ok;
  }
  auto chain =
      db.prepare("INSERT INTO chains(sha256, cert_hashes) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
  if (!chain) return std::unexpected(chain.error());
  return chain->bind(1, address).bind(2, hashes.dump()).run();
}

}  // namespace keydir
