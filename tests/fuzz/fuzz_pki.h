#pragma once
// The PKI a fuzz target signs with, made once per process by the same code
// as `keydir pki`: a root and intermediate (the trust store) and one
// enterprise leaf for 1-12025550100-100 with its key. Targets sign what
// the fuzzer wrote with the leaf so that the checks behind the signature
// are reached too, not only the signature check that would refuse
// everything else.
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "certs/clock.h"
#include "certs/in_memory_spc_map.h"
#include "certs/pem.h"
#include "certs/pki_directory.h"
#include "certs/trust_store.h"

namespace keydir::fuzz {

struct FuzzPki {
  FuzzPki() {
    auto dir =
        std::filesystem::temp_directory_path() / ("keydir-fuzz-pki-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    auto pki = PkiDirectory::init(dir, clock.now());
    auto scope = TnScope::parse("1-12025550100-100");
    if (!pki || !scope) __builtin_trap();
    IssueRequest request;
    request.name = "leaf";
    request.scopes = {*scope};
    auto files = pki->issue(request, clock.now());
    if (!files) __builtin_trap();
    auto loaded = TrustStore::load(pki->trustFile(), {});
    auto leaf_chain = loadCertificates(files->chain);
    auto key = loadPrivateKey(files->key);
    if (!loaded || !leaf_chain || !key) __builtin_trap();
    trust = std::make_unique<TrustStore>(std::move(*loaded));
    chain = std::move(*leaf_chain);
    leaf_key = std::move(*key);
    scopes = {*scope};
    std::filesystem::remove_all(dir);
  }
  X509* leaf() const { return chain.front().get(); }

  SystemClock clock;
  std::unique_ptr<TrustStore> trust;
  std::vector<X509Ptr> chain;  // leaf first, root excluded
  EvpPkeyPtr leaf_key;
  std::vector<TnScope> scopes;  // the leaf's
  InMemorySpcMap spc_map;
};

}  // namespace keydir::fuzz
