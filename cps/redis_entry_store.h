#pragma once
// The CPS's state in Redis (`--store redis://HOST:PORT[/DB]`), so that
// several CPS processes behind a load balancer share entries, the ticks
// already shown, dummy lengths, the dummies' secret, spent JWT ids and
// token nonces, and the industry interface's passports, each with a TTL.
// Whatever must not race (placing an entry, showing a tick) is one Lua
// script, atomic in Redis. hiredis (Debian libhiredis-dev).
//
// Connections are kept in a small pool; one that fails is dropped, and the
// next call connects again, so a Redis that went away and came back is
// used again without a restart. Meanwhile every call fails kUnavailable.
// Thread-safe.

#include <hiredis/hiredis.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "certs/openssl_ptr.h"
#include "cps/entry_store.h"

namespace keydir {

using RedisContextPtr = std::unique_ptr<redisContext, Free<&redisFree>>;

class RedisEntryStore : public EntryStore {
 public:
  // kMalformed for a URI that is not redis://HOST:PORT[/DB]; kUnavailable
  // when Redis does not answer now. `ttl_seconds` bounds every key's life.
  static Result<std::unique_ptr<RedisEntryStore>> open(const std::string& uri,
                                                       long long ttl_seconds);

  Result<SlotTaken> place(const std::string& tn, StoredEntry entry,
                          const Placement& placement) override;
  Result<std::vector<StoredEntry>> show(const std::string& tn, long long from_tick,
                                        long long shown_tick) override;
  Result<std::vector<std::string>> numbersWithEntries(std::string_view prefix, long long from_tick,
                                                      std::size_t limit) override;
  std::size_t sweep(long long first_live_tick, long long current_tick, Instant now) override;
  std::size_t size() override;
  bool ping() override;
  void recordLength(std::size_t bytes) override;
  std::vector<std::size_t> lengthsAt(long long tick) override;
  Result<std::string> sharedSecret(const std::string& fresh) override;
  Result<bool> spendOnce(const std::string& name, Instant expires) override;
  Result<std::size_t> tokensSpent(std::string_view key_id, Instant until) override;
  Result<std::size_t> countInWindow(const std::string& name, Instant window_end) override;
  Result<std::string> keepFirst(const std::string& name, const std::function<std::string()>& make,
                                Instant expires) override;
  Result<void> publish(const std::string& pair, const std::vector<std::string>& passports,
                       Instant expires, std::size_t max_per_pair) override;
  Result<std::vector<std::string>> published(const std::string& pair, Instant now) override;

 protected:
  Result<bool> spendKeptNonce(std::string_view key_id, std::string_view kept,
                              Instant until) override;

 private:
  struct Reply;
  RedisEntryStore(std::string host, int port, int db, long long ttl)
      : host_(std::move(host)), port_(port), db_(db), ttl_(ttl) {}
  // Runs one command; kUnavailable when Redis does not answer, kMalformed
  // (with Redis's words) when it answers an error.
  Result<std::shared_ptr<redisReply>> command(const std::vector<std::string>& args);
  Result<RedisContextPtr> connect();

  std::string host_;
  int port_;
  int db_;
  long long ttl_;
  std::mutex mutex_;
  std::vector<RedisContextPtr> idle_;  // connections not in use
};

}  // namespace keydir
