#include "cps/redis_entry_store.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "certs/hex.h"

namespace keydir {
namespace {

using ReplyPtr = std::shared_ptr<redisReply>;

constexpr const char* kKeys = "keydir:cps:";
constexpr int kSlotsPerTickMax = 64;  // slots are scored tick * 64 + slot

// Places an entry in its number's first free slot (docs/design.md section 13).
// KEYS: the number's entries, its shown tick, every live entry, the
// numbers with entries. Answers {"ok", tick, slot}, {"limit-tn", n},
// {"limit-all", n} or {"busy", 0}.
constexpr const char* kPlace = R"lua(
local n, s, all, tns = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local current, last, first_live = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local slots, max_tn, max_all = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local tn, member, ttl = ARGV[7], ARGV[8], tonumber(ARGV[9])
redis.call('ZREMRANGEBYSCORE', n, '-inf', '(' .. (first_live * 64))
redis.call('ZREMRANGEBYSCORE', all, '-inf', '(' .. first_live)
local held = redis.call('ZCARD', n)
if held >= max_tn then return {'limit-tn', held} end
local total = redis.call('ZCARD', all)
if total >= max_all then return {'limit-all', total} end
local shown = tonumber(redis.call('GET', s) or '-1')
local first = current
if shown >= current then first = shown + 1 end
for tick = first, last do
  for slot = 0, slots - 1 do
    local score = tick * 64 + slot
    if #redis.call('ZRANGEBYSCORE', n, score, score, 'LIMIT', 0, 1) == 0 then
      redis.call('ZADD', n, score, member)
      redis.call('EXPIRE', n, ttl)
      redis.call('ZADD', all, tick, tn .. ' ' .. member:sub(1, 64))
      redis.call('ZADD', tns, 0, tn)
      return {'ok', tick, slot}
    end
  end
end
return {'busy', 0}
)lua";

// Marks a tick of a number shown and gives its entries from a tick on,
// with their scores. KEYS: the number's entries, its shown tick.
constexpr const char* kShow = R"lua(
local n, s = KEYS[1], KEYS[2]
local from, shown, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local old = tonumber(redis.call('GET', s) or '-1')
if shown > old then redis.call('SET', s, shown, 'EX', ttl) end
return redis.call('ZRANGEBYSCORE', n, from * 64, shown * 64 + 63, 'WITHSCORES')
)lua";

// The numbers under a prefix that hold entries from a tick on; numbers
// whose entries all aged out leave the index. KEYS: the index.
constexpr const char* kNumbers = R"lua(
local tns = KEYS[1]
local prefix, from, limit, keys = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local found = {}
for _, tn in ipairs(redis.call('ZRANGEBYLEX', tns, '[' .. prefix, '[' .. prefix .. '\255')) do
  if redis.call('ZCOUNT', keys .. 'n:' .. tn, from * 64, '+inf') > 0 then
    table.insert(found, tn)
    if #found >= limit then break end
  else
    redis.call('ZREM', tns, tn)
  end
end
return found
)lua";

// Keeps passports for a pair of numbers until `expires`, unless that
// passes the pair's limit (then answers how many it holds, else -1). Each
// member starts with a sequence number, so that those of one expiry read
// in the order they came.
constexpr const char* kPublish = R"lua(
local p, seq = KEYS[1], KEYS[2]
local now, expires, max, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', p, '-inf', now)
local held = redis.call('ZCARD', p)
if held + #ARGV - 4 > max then return held end
for i = 5, #ARGV do
  local n = redis.call('INCR', seq)
  redis.call('ZADD', p, expires, string.format('%016d', n) .. ' ' .. ARGV[i])
end
redis.call('EXPIRE', p, ttl)
redis.call('EXPIRE', seq, ttl)
return -1
)lua";

// One more in a window: the counter dies with its window.
constexpr const char* kCount = R"lua(
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIREAT', KEYS[1], ARGV[1]) end
return n
)lua";

// A token's nonce into its key's set, which dies on the key's last day:
// some 80 bytes of Redis a nonce, against some 200 for a key of its own.
constexpr const char* kSpendToken = R"lua(
local added = redis.call('SADD', KEYS[1], ARGV[1])
if added == 1 then redis.call('EXPIREAT', KEYS[1], ARGV[2]) end
return added
)lua";

std::string key(std::string_view kind, std::string_view name) {
  return std::string(kKeys) + std::string(kind) + std::string(name);
}

std::string spentTokensKey(std::string_view token_key_id) {
  return key("spent-tokens:", hexEncode(token_key_id.substr(0, 8)));
}

std::string text(const redisReply* reply) {
  return reply && reply->str ? std::string(reply->str, reply->len) : std::string();
}

std::unexpected<Error> unavailable(const std::string& why) {
  return fail(ErrorCode::kUnavailable, "the CPS's Redis store: " + why);
}

}  // namespace

Result<std::unique_ptr<RedisEntryStore>> RedisEntryStore::open(const std::string& uri,
                                                               long long ttl_seconds) {
  constexpr std::string_view kScheme = "redis://";
  const std::string_view rest = std::string_view(uri).substr(kScheme.size());
  const std::size_t colon = rest.rfind(':');
  const std::size_t slash = rest.find('/', colon == std::string_view::npos ? 0 : colon);
  int port = 0, db = 0;
  const std::string_view port_text =
      colon == std::string_view::npos ? "" : rest.substr(colon + 1, slash - colon - 1);
  const std::string_view db_text = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  const bool port_ok =
      !port_text.empty() &&
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port).ptr ==
          port_text.data() + port_text.size() &&
      port > 0 && port < 65536;
  const bool db_ok =
      db_text.empty() || std::from_chars(db_text.data(), db_text.data() + db_text.size(), db).ptr ==
                             db_text.data() + db_text.size();
  if (!uri.starts_with(kScheme) || colon == 0 || !port_ok || !db_ok) {
    return fail(ErrorCode::kMalformed,
                "store '" + uri + "' should be redis://HOST:PORT or redis://HOST:PORT/DB");
  }
  std::unique_ptr<RedisEntryStore> store(
      new RedisEntryStore(std::string(rest.substr(0, colon)), port, db, ttl_seconds));
  auto answered = store->command({"PING"});
  if (!answered) return std::unexpected(answered.error());
  return store;
}

Result<RedisContextPtr> RedisEntryStore::connect() {
  const timeval timeout{1, 0};
  RedisContextPtr context(redisConnectWithTimeout(host_.c_str(), port_, timeout));
  if (!context) return unavailable("no memory for a connection");
  if (context->err) {
    return unavailable("cannot reach " + host_ + ":" + std::to_string(port_) + ": " +
                       context->errstr);
  }
  redisSetTimeout(context.get(), timeval{2, 0});
  if (db_ != 0) {
    ReplyPtr selected(static_cast<redisReply*>(redisCommand(context.get(), "SELECT %d", db_)),
                      freeReplyObject);
    if (!selected || selected->type == REDIS_REPLY_ERROR) {
      return unavailable("cannot select database " + std::to_string(db_));
    }
  }
  return context;
}

Result<ReplyPtr> RedisEntryStore::command(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const std::string& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  // A kept connection may have died with a Redis that went away and came
  // back: then every kept one is dropped, and one new try is made.
  for (int attempt = 0; attempt < 2; ++attempt) {
    RedisContextPtr context;
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        context = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    const bool kept = context != nullptr;
    if (!context) {
      auto connected = connect();
      if (!connected) return std::unexpected(connected.error());
      context = std::move(*connected);
    }
    ReplyPtr reply(static_cast<redisReply*>(redisCommandArgv(context.get(), int(argv.size()),
                                                             argv.data(), lengths.data())),
                   freeReplyObject);
    if (!reply || context->err) {
      const std::string why = context->err ? context->errstr : "no reply";
      std::lock_guard lock(mutex_);
      idle_.clear();
      if (kept && attempt == 0) continue;
      return unavailable("Redis did not answer: " + why);
    }
    {
      std::lock_guard lock(mutex_);
      if (idle_.size() < 64) idle_.push_back(std::move(context));
    }
    if (reply->type == REDIS_REPLY_ERROR) {
      return unavailable("Redis refused: " + text(reply.get()));
    }
    return reply;
  }
  return unavailable("Redis did not answer");
}

Result<SlotTaken> RedisEntryStore::place(const std::string& tn, StoredEntry entry,
                                         const Placement& placement) {
  const std::string member = entry.id + " " + entry.json;
  auto reply =
      command({"EVAL", kPlace, "4", key("n:", tn), key("s:", tn), key("all", ""), key("tns", ""),
               std::to_string(placement.current_tick), std::to_string(placement.last_tick),
               std::to_string(placement.first_live_tick),
               std::to_string(std::min(placement.slots_per_tick, kSlotsPerTickMax)),
               std::to_string(placement.max_per_tn), std::to_string(placement.max_entries), tn,
               member, std::to_string(ttl_)});
  if (!reply) return std::unexpected(reply.error());
  const redisReply* answer = reply->get();
  if (answer->type != REDIS_REPLY_ARRAY || answer->elements < 2) {
    return unavailable("the placing script answered nothing it should");
  }
  const std::string outcome = text(answer->element[0]);
  const long long number = answer->element[1]->integer;
  if (outcome == "limit-tn") {
    return fail(ErrorCode::kRateLimited, "this number holds " + std::to_string(number) +
                                             " entries, its limit (max_entries_per_tn)");
  }
  if (outcome == "limit-all") {
    return fail(ErrorCode::kRateLimited,
                "the CPS holds " + std::to_string(number) + " entries, its limit (max_entries)");
  }
  if (outcome != "ok" || answer->elements < 3) {
    return fail(ErrorCode::kRateLimited,
                "this number's slots are taken until its wait limit (max_store_wait_seconds): "
                "too many stores for one number");
  }
  return SlotTaken{number, int(answer->element[2]->integer)};
}

Result<std::vector<StoredEntry>> RedisEntryStore::show(const std::string& tn, long long from_tick,
                                                       long long shown_tick) {
  auto reply = command({"EVAL", kShow, "2", key("n:", tn), key("s:", tn), std::to_string(from_tick),
                        std::to_string(shown_tick), std::to_string(ttl_)});
  if (!reply) return std::unexpected(reply.error());
  std::vector<StoredEntry> entries;
  const redisReply* answer = reply->get();
  for (std::size_t at = 0; answer->type == REDIS_REPLY_ARRAY && at + 1 < answer->elements;
       at += 2) {
    const std::string member = text(answer->element[at]);
    const long long score = std::stoll(text(answer->element[at + 1]));
    const std::size_t space = member.find(' ');
    if (space == std::string::npos) continue;
    StoredEntry entry;
    entry.id = member.substr(0, space);
    entry.tick = score / kSlotsPerTickMax;
    entry.slot = int(score % kSlotsPerTickMax);
    entry.json = member.substr(space + 1);
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<std::vector<std::string>> RedisEntryStore::numbersWithEntries(std::string_view prefix,
                                                                     long long from_tick,
                                                                     std::size_t limit) {
  auto reply = command({"EVAL", kNumbers, "1", key("tns", ""), std::string(prefix),
                        std::to_string(from_tick), std::to_string(limit), kKeys});
  if (!reply) return std::unexpected(reply.error());
  std::vector<std::string> numbers;
  for (std::size_t at = 0; at < (*reply)->elements; ++at) {
    numbers.push_back(text((*reply)->element[at]));
  }
  return numbers;
}

std::size_t RedisEntryStore::sweep(long long first_live_tick, long long, Instant) {
  // Spent names, shown ticks, lengths and passports go by their TTLs.
  auto reply =
      command({"ZREMRANGEBYSCORE", key("all", ""), "-inf", "(" + std::to_string(first_live_tick)});
  return reply ? std::size_t((*reply)->integer) : 0;
}

std::size_t RedisEntryStore::size() {
  auto reply = command({"ZCARD", key("all", "")});
  return reply ? std::size_t((*reply)->integer) : 0;
}

bool RedisEntryStore::ping() { return command({"PING"}).has_value(); }

void RedisEntryStore::recordLength(std::size_t bytes) {
  // Lost when Redis is away: dummies then copy the lengths from before.
  command({"LPUSH", key("lengths", ""), std::to_string(bytes)});
  command({"LTRIM", key("lengths", ""), "0", "63"});
}

std::vector<std::size_t> RedisEntryStore::lengthsAt(long long tick) {
  const std::string frozen = key("lengths:", std::to_string(tick));
  auto kept = command({"GET", frozen});
  if (kept && (*kept)->type != REDIS_REPLY_STRING) {
    auto recent = command({"LRANGE", key("lengths", ""), "0", "-1"});
    std::string joined = ",";
    for (std::size_t at = 0; recent && at < (*recent)->elements; ++at) {
      joined += text((*recent)->element[at]) + ",";
    }
    // Whichever process asks first fixes the tick's lengths for all.
    command({"SET", frozen, joined, "NX", "EX", std::to_string(ttl_)});
    kept = command({"GET", frozen});
  }
  std::vector<std::size_t> lengths;
  const std::string list = kept ? text(kept->get()) : "";
  for (std::size_t start = 0, comma; (comma = list.find(',', start)) != std::string::npos;
       start = comma + 1) {
    std::size_t length = 0;
    if (std::from_chars(list.data() + start, list.data() + comma, length).ptr ==
            list.data() + comma &&
        comma > start) {
      lengths.push_back(length);
    }
  }
  return lengths;
}

Result<std::string> RedisEntryStore::sharedSecret(const std::string& fresh) {
  auto set = command({"SET", key("secret", ""), hexEncode(fresh), "NX"});
  if (!set) return std::unexpected(set.error());
  auto kept = command({"GET", key("secret", "")});
  if (!kept) return std::unexpected(kept.error());
  auto secret = hexDecode(text(kept->get()));
  if (!secret || secret->size() != fresh.size()) {
    return fail(ErrorCode::kUnavailable, "the secret kept in Redis is not " +
                                             std::to_string(fresh.size()) + " bytes of hex");
  }
  return *secret;
}

Result<bool> RedisEntryStore::spendKeptNonce(std::string_view key_id, std::string_view kept,
                                             Instant until) {
  const Instant latest = nowInstant() + std::chrono::days(30);
  auto reply = command({"EVAL", kSpendToken, "1", spentTokensKey(key_id), std::string(kept),
                        std::to_string(unixTime(std::min(until, latest)))});
  if (!reply) return std::unexpected(reply.error());
  return (*reply)->integer == 1;
}

Result<std::size_t> RedisEntryStore::tokensSpent(std::string_view key_id, Instant) {
  auto reply = command({"SCARD", spentTokensKey(key_id)});
  if (!reply) return std::unexpected(reply.error());
  return std::size_t((*reply)->integer);
}

Result<std::size_t> RedisEntryStore::countInWindow(const std::string& name, Instant window_end) {
  auto reply =
      command({"EVAL", kCount, "1", key("count:", name), std::to_string(unixTime(window_end) + 1)});
  if (!reply) return std::unexpected(reply.error());
  return std::size_t((*reply)->integer);
}

Result<std::string> RedisEntryStore::keepFirst(const std::string& name,
                                               const std::function<std::string()>& make,
                                               Instant expires) {
  auto kept = command({"GET", key("kept:", name)});
  if (!kept) return std::unexpected(kept.error());
  if ((*kept)->type == REDIS_REPLY_STRING) return text(kept->get());
  if (!make) return fail(ErrorCode::kNotFound, name + " is not kept");
  const long long ttl = std::max<long long>((expires - nowInstant()).count(), 1);
  auto set = command({"SET", key("kept:", name), make(), "NX", "EX", std::to_string(ttl)});
  if (!set) return std::unexpected(set.error());
  // Another process may have kept its own in between: that one stands.
  kept = command({"GET", key("kept:", name)});
  if (!kept) return std::unexpected(kept.error());
  if ((*kept)->type != REDIS_REPLY_STRING) {
    return fail(ErrorCode::kUnavailable, "Redis lost " + name + " as soon as it was kept");
  }
  return text(kept->get());
}

Result<bool> RedisEntryStore::spendOnce(const std::string& name, Instant expires) {
  // A JWT id lives minutes; a name may live for days (a storage token of
  // a nonce too short for its key's set), at most 30.
  const long long ttl = std::clamp<long long>((expires - nowInstant()).count(), 1, 30 * 86400);
  auto reply = command({"SET", key("spent:", name), "1", "NX", "EX", std::to_string(ttl)});
  if (!reply) return std::unexpected(reply.error());
  return (*reply)->type == REDIS_REPLY_STATUS;
}

Result<void> RedisEntryStore::publish(const std::string& pair,
                                      const std::vector<std::string>& passports, Instant expires,
                                      std::size_t max_per_pair) {
  std::vector<std::string> args = {"EVAL",
                                   kPublish,
                                   "2",
                                   key("p:", pair),
                                   key("pseq:", pair),
                                   std::to_string(unixTime(nowInstant())),
                                   std::to_string(unixTime(expires)),
                                   std::to_string(max_per_pair),
                                   std::to_string(ttl_)};
  args.insert(args.end(), passports.begin(), passports.end());
  auto reply = command(args);
  if (!reply) return std::unexpected(reply.error());
  if ((*reply)->integer >= 0) {
    return fail(ErrorCode::kRateLimited, "this pair of numbers holds " +
                                             std::to_string((*reply)->integer) +
                                             " passports, its limit (max_entries_per_tn)");
  }
  return {};
}

Result<std::vector<std::string>> RedisEntryStore::published(const std::string& pair, Instant now) {
  auto reply =
      command({"ZRANGEBYSCORE", key("p:", pair), "(" + std::to_string(unixTime(now)), "+inf"});
  if (!reply) return std::unexpected(reply.error());
  std::vector<std::string> live;
  for (std::size_t at = 0; at < (*reply)->elements; ++at) {
    const std::string member = text((*reply)->element[at]);
    live.push_back(member.substr(member.find(' ') + 1));
  }
  return live;
}

}  // namespace keydir
