#pragma once
// Every setting of `keydir serve` and `keydir cache`, resolved in one place:
// defaults here, then a JSON config file, then command-line flags (docs/design.md
// sections 6 and 8, STYLE rule 11). `--print-config` prints the result.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "certs/error.h"

namespace keydir {

struct DirectoryConfig {
  // A SQLite file, or a postgresql:// URI (docs/design.md section 15).
  std::string db = "keydir.db";
  std::size_t db_connections = 4;  // database connections shared by all server threads
  std::size_t db_cache_mib = 64;   // page cache of each
  // Page cache of the one connection that writes a whole copy (`keydir
  // import`, a cache's first copy or a fresh snapshot), while it copies;
  // given back after. 0 keeps db_cache_mib.
  std::size_t bulk_copy_cache_mib = 512;
  // The file read through a memory map, up to this much (SQLite caps it
  // near 2 GiB): a read is then the kernel's page cache itself, not a copy
  // of it in each connection's own memory. 0 turns it off.
  std::size_t db_mmap_mib = 2047;
  // On PostgreSQL, shared with other directory processes: their changes
  // reach this one's held answers within this (LISTEN/NOTIFY, and a poll
  // of the feed's head when no notice comes), and without a word from the
  // database for this long held answers are not served unchecked.
  long long peer_poll_ms = 100;
  std::string trust;              // PEM bundle of STI-CA roots; required
  std::vector<std::string> crls;  // PEM CRL files
  std::string listen = "127.0.0.1:8080";
  std::string tls_cert;  // both set: HTTPS
  std::string tls_key;
  std::string spc_map;           // CSV imported at start, if set
  std::string provisioned_cps;   // JSON object scope -> CPS URI, served unsigned
  std::string public_url;        // base of x5u; default from listen
  std::string access_log = "-";  // file, "-" for stderr, "" for none
  bool log_full_tn = false;

  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_chain_length = 5;
  std::size_t max_keys_per_signer_scope = 4;
  long long max_credential_validity_seconds = 7 * 24 * 3600;
  bool require_delegation_usage = true;
  long long revocation_window_seconds = 300;
  std::size_t max_advertisement_pairs = 1000;
  double write_rate_per_second = 50;
  double write_burst = 100;
  long long lookup_max_age_seconds = 300;
  // Finished lookup answers held (directory/lookup_answers.h): their
  // index in memory up to lookup_answers_mib (0 turns them off), the
  // answers themselves in a file without a name of up to
  // lookup_answers_file_mib in lookup_answers_dir (empty: the database
  // file's directory, or /var/tmp for PostgreSQL), read
  // through a memory map. With prefill, the answers of every number with a
  // key of its own are made ahead, until the file or the index is full: at
  // start (a cache: once it has a copy) and again whenever all were
  // dropped at once (directory/server/answers_made_ahead.h).
  // Sized for ten million numbers (some 64 bytes of index and 2 KB of
  // file each); neither is taken before answers are held.
  long long lookup_answers_mib = 768;
  long long lookup_answers_file_mib = 32768;
  std::string lookup_answers_dir;
  bool lookup_answers_prefill = true;

  // The serving core (directory/http/http_server.h): "reactor" or "threads".
  std::string http_core = "reactor";
  int max_threads = 512;  // threads core: one per open connection
  int max_queued = 1024;  // threads core
  long long keep_alive_timeout_seconds = 15;
  int max_keep_alive_requests = 10000;
  int event_threads = 0;  // reactor core; 0: one per processor
  int worker_threads = 16;
  long long max_connections = 16384;
  long long header_timeout_seconds = 10;
  long long body_timeout_seconds = 10;
  long long send_timeout_seconds = 30;
  long long max_header_bytes = 16 * 1024;
  long long max_headers = 64;

  // The prefetch feed (docs/design.md section 7).
  int bucket_bits = 16;                  // multiple of 4, 8 to 24
  long long wide_threshold = 1000;       // numbers a narrow scope covers at most
  std::size_t bucket_pad_bytes = 65536;  // bucket answers are padded to a multiple; 0: none
  long long bucket_max_age_seconds = 3600;
  long long expiry_sweep_seconds = 60;  // expiries enter the feed within this
  long long feed_retention_seconds = 7 * 24 * 3600;

  // The caching proxy (docs/design.md section 8); `db`, `trust`, `listen` and the
  // listener's settings above are its own.
  std::string upstream;         // the directory's base URL
  std::string upstream_ca;      // PEM bundle for an https upstream; empty: the system's
  std::string mode = "mirror";  // or "buckets"
  std::size_t decoys = 3;
  std::string address_book;  // one TN a line, kept fresh in buckets mode
  long long poll_seconds = 30;
  long long max_staleness_seconds = 0;  // 0: 10 x poll_seconds
  long long keep_seconds = 24 * 3600;
  double backoff_base_seconds = 1;
  double backoff_max_seconds = 300;

  // The Call Placement Service (docs/design.md section 13); `listen`, `trust`, the
  // listener's settings and `write_rate_per_second` above are its own. Its
  // body limit follows from the entry limits below, not max_body_bytes.
  std::string name;          // its host name: the audience of JWTs, the token issuer
  std::string directory;     // a directory or keydir cache naming each number's keys
  std::string directory_ca;  // PEM bundle for an https directory
  std::string tls_ca;        // PEM bundle for https x5u URLs of a private CA; empty: the system's
  std::string store = "memory";           // or redis://HOST:PORT[/DB]
  std::string base_path;                  // the path of the advertised CPS URI, if any
  long long max_age_seconds = 60;         // RFC 8816 7.5: at most 60
  long long tick_seconds = 2;             // entries appear only at ticks
  long long slots_per_tick = 1;           // entries each tick adds to every number
  long long max_store_wait_seconds = 10;  // a store waits this long for a slot, or 429
  std::size_t max_jwe_bytes = 8192;
  std::size_t max_jwes_per_entry = 8;
  std::size_t max_entries_per_tn = 1000;
  std::size_t max_entries = 1000000;
  std::size_t min_prefix_digits = 7;
  std::size_t max_prefix_numbers = 200;  // numbers a prefix answer may hold
  long long dummy_cache_mib = 64;        // dummies made once and served until they age out
  // Storage tokens (docs/design.md section 14): a store spends one.
  std::string token_keys = "cps-token-keys.json";  // 0600 file of keys, when the store is memory
  std::size_t tokens_per_hour = 10000;             // issued to one certificate's key
  long long token_key_days = 7;                    // a key's period
  long long token_grace_hours = 24;                // its tokens taken this long after
  std::size_t max_stores_per_tn_per_minute = 600;  // whatever the tokens (RFC 8816 6.1)

  // Applies one setting by its name (as in the JSON file and the flags,
  // with '-' or '_'). kMalformed names the setting and the expected form.
  Result<void> set(const std::string& name, const std::string& value);
  // Applies "NAME=VALUE", as given to --set.
  Result<void> setAssignment(const std::string& assignment);
  // Applies every member of a JSON object.
  Result<void> merge(const nlohmann::json& settings);
  Result<void> loadFile(const std::string& path);
  // kMalformed when a required setting is missing or two disagree.
  Result<void> validate() const;
  // The listener's settings alone, which every keydir server has.
  Result<void> validateListener() const;
  // What `keydir cache` needs on top of validate().
  Result<void> validateCache() const;
  // What `keydir cps` needs: the listener's settings and its own.
  Result<void> validateCps() const;
  // Ticks an entry is served for.
  long long cpsWindowTicks() const { return max_age_seconds / tick_seconds; }
  long long effectiveMaxStalenessSeconds() const {
    return max_staleness_seconds ? max_staleness_seconds : 10 * poll_seconds;
  }

  std::string effectivePublicUrl() const;
  bool usesTls() const { return !tls_cert.empty(); }
  nlohmann::json toJson() const;
};

}  // namespace keydir
