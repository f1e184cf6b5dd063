#pragma once
// Everything a CPS request handler may use, built once by CpsServer.

#include <memory>

#include "certs/in_memory_spc_map.h"
#include "certs/trust_store.h"
#include "cps/bearer_jwt.h"
#include "cps/chain_cache.h"
#include "cps/cps_metrics.h"
#include "cps/dummy_maker.h"
#include "cps/entry_store.h"
#include "cps/number_keys.h"
#include "cps/passport_board.h"
#include "cps/storage_tokens.h"
#include "cps/token_keys.h"
#include "directory/directory_config.h"
#include "directory/http/http_exchange.h"

namespace keydir {

struct CpsService : HttpService {
  DirectoryConfig config;
  std::unique_ptr<EntryStore> store;
  std::unique_ptr<DummyMaker> dummies;
  std::unique_ptr<NumberKeys> keys;
  std::unique_ptr<CpsMetrics> cps_metrics;
  std::unique_ptr<PassportBoard> board;
  // The anchors (--trust, required) that carriers' JWTs chain to, for the
  // industry interface and storage-token issuance alike.
  std::unique_ptr<TrustStore> trust;
  std::unique_ptr<InMemorySpcMap> spc_map;  // `spc_map`, for delegate chains under SPCs
  std::unique_ptr<ChainCache> chains;
  std::unique_ptr<ValidatedChains> validated_chains;
  BearerRules bearer;
  std::unique_ptr<TokenKeys> token_keys;
  std::unique_ptr<StorageTokens> tokens;
};

// The CPS's parts, from an exchange its router made.
inline CpsService& cps(Exchange& exchange) { return static_cast<CpsService&>(exchange.service()); }

}  // namespace keydir
