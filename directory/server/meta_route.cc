#include <nlohmann/json.hpp>

#include "directory/server/routes.h"

namespace keydir {

void serveMeta(Exchange& exchange) {
  const DirectoryConfig& config = directory(exchange).config;
  auto counts = directory(exchange).store->counts(exchange.now());
  if (!counts) return exchange.sendProblem(counts.error());
  nlohmann::json meta = {
      {"version", KEYDIR_VERSION},
      {"api", "v1"},
      {"sequence", counts->sequence},
      {"keys", counts->keys},
      {"spc_map_entries", counts->spc_entries},
      {"bucket_bits", config.bucket_bits},
      {"wide_threshold", config.wide_threshold},
      {"limits",
       {{"max_body_bytes", config.max_body_bytes},
        {"max_chain_length", config.max_chain_length},
        {"max_keys_per_signer_scope", config.max_keys_per_signer_scope},
        {"max_advertisement_pairs", config.max_advertisement_pairs},
        {"max_credential_validity_seconds", config.max_credential_validity_seconds},
        {"revocation_window_seconds", config.revocation_window_seconds},
        {"write_rate_per_second", config.write_rate_per_second},
        {"write_burst", config.write_burst}}}};
  exchange.sendJson(200, meta.dump());
}

}  // namespace keydir
