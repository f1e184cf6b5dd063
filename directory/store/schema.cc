#include "directory/store/schema.h"

#include "directory/store/postgres_schema.h"
#include "directory/store/sqlite.h"

namespace keydir {
namespace {

constexpr const char* kMigrations[] = {
    // Version 1.
    R"sql(
CREATE TABLE certs (
  sha256 TEXT PRIMARY KEY,
  der BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE chains (
  sha256 TEXT PRIMARY KEY,        -- of the concatenated DER, leaf first
  cert_hashes TEXT NOT NULL       -- JSON array of certs.sha256, leaf first
) WITHOUT ROWID;

CREATE TABLE keys (
  id TEXT PRIMARY KEY,
  dc BLOB NOT NULL,
  expires INTEGER NOT NULL,       -- unix seconds
  signer TEXT NOT NULL,           -- SHA-256 of the leaf's public key
  scope TEXT NOT NULL,            -- scope strings, space separated, sorted
  chain TEXT NOT NULL REFERENCES chains(sha256),
  record TEXT NOT NULL,           -- the key record JSON, as served
  created INTEGER NOT NULL,
  revoked INTEGER                 -- unix seconds, NULL while live
) WITHOUT ROWID;
CREATE INDEX keys_by_signer_scope ON keys(signer, scope);

CREATE TABLE key_blocks (
  block TEXT NOT NULL,
  key_id TEXT NOT NULL REFERENCES keys(id),
  specificity INTEGER NOT NULL,   -- numbers in the scope entry: smaller is more specific
  PRIMARY KEY (block, key_id)
) WITHOUT ROWID;

CREATE TABLE key_spcs (
  spc TEXT NOT NULL,
  key_id TEXT NOT NULL REFERENCES keys(id),
  PRIMARY KEY (spc, key_id)
) WITHOUT ROWID;

CREATE TABLE spc_map (
  scope TEXT PRIMARY KEY,
  spc TEXT NOT NULL,
  count INTEGER NOT NULL,
  length INTEGER NOT NULL,
  first TEXT NOT NULL,
  last TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX spc_map_by_spc ON spc_map(spc);
CREATE INDEX spc_map_by_start ON spc_map(length, first);

CREATE TABLE spc_blocks (
  block TEXT NOT NULL,
  scope TEXT NOT NULL REFERENCES spc_map(scope) ON DELETE CASCADE,
  PRIMARY KEY (block, scope)
) WITHOUT ROWID;

CREATE TABLE revocation_jtis (
  jti TEXT PRIMARY KEY,
  seen INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,             -- key, spc
  id TEXT NOT NULL,
  op TEXT NOT NULL,               -- put, revoke
  at INTEGER NOT NULL
);
)sql",
    // Version 2: count live keys for /v1/meta and /metrics without a table scan.
    R"sql(
CREATE INDEX keys_live_by_expiry ON keys(expires) WHERE revoked IS NULL;
)sql",
    // Version 3: CPS advertisements (docs/design.md section 5). Entries are indexed
    // like key scopes: ranges and numbers by prefix block, SPCs by code.
    R"sql(
CREATE TABLE ads (
  id TEXT PRIMARY KEY,            -- base64url SHA-256 of the JWS
  signer TEXT NOT NULL,           -- SHA-256 of the leaf's public key
  iat INTEGER NOT NULL,           -- unix seconds, as signed
  exp INTEGER,                    -- unix seconds, as signed, if any
  expires INTEGER NOT NULL,       -- exp or the leaf's notAfter, the sooner
  jws TEXT NOT NULL,
  chain TEXT NOT NULL REFERENCES chains(sha256),
  created INTEGER NOT NULL,
  replaced_by TEXT                -- the newer advertisement's id; NULL while current
) WITHOUT ROWID;
CREATE UNIQUE INDEX ads_current_by_signer ON ads(signer) WHERE replaced_by IS NULL;

CREATE TABLE ad_blocks (
  block TEXT NOT NULL,
  ad_id TEXT NOT NULL REFERENCES ads(id),
  scope TEXT NOT NULL,
  uri TEXT NOT NULL,
  specificity INTEGER NOT NULL,   -- numbers in the scope: smaller is more specific
  PRIMARY KEY (block, ad_id, scope)
) WITHOUT ROWID;
CREATE INDEX ad_blocks_by_ad ON ad_blocks(ad_id);

CREATE TABLE ad_spcs (
  spc TEXT NOT NULL,
  ad_id TEXT NOT NULL REFERENCES ads(id),
  uri TEXT NOT NULL,
  PRIMARY KEY (spc, ad_id)
) WITHOUT ROWID;
CREATE INDEX ad_spcs_by_ad ON ad_spcs(ad_id);
)sql",
    // Version 4: which block shapes (prefix digits, number digits) each block
    // table holds, so that a lookup probes only the prefixes that can match
    // instead of every prefix of the TN: with a million keys each needless
    // probe was a page read.
    R"sql(
CREATE TABLE block_shapes (
  kind TEXT NOT NULL,             -- key, ad or spc: which *_blocks table
  length INTEGER NOT NULL,        -- digits of the numbers
  prefix_length INTEGER NOT NULL, -- digits of the prefix
  PRIMARY KEY (kind, length, prefix_length)
) WITHOUT ROWID;
INSERT OR IGNORE INTO block_shapes
  SELECT DISTINCT 'key', CAST(substr(block, instr(block, '/') + 1) AS INTEGER),
                  instr(block, '/') - 1 FROM key_blocks;
INSERT OR IGNORE INTO block_shapes
  SELECT DISTINCT 'ad', CAST(substr(block, instr(block, '/') + 1) AS INTEGER),
                  instr(block, '/') - 1 FROM ad_blocks;
INSERT OR IGNORE INTO block_shapes
  SELECT DISTINCT 'spc', CAST(substr(block, instr(block, '/') + 1) AS INTEGER),
                  instr(block, '/') - 1 FROM spc_blocks;
)sql",
    // Version 5: the prefetch feed (docs/design.md section 7). One change per record
    // entering or leaving the live set, each carrying the digests after it;
    // the current sequence and digests; the bucket index of narrow records;
    // and, for a follower (the cache), how far it has followed its upstream
    // and what it refused. The old change log held no proofs: its sequence
    // carries on, its rows go, and a follower starts from a snapshot.
    // bucket_bits 0 makes the store back-fill the index and digests on open.
    R"sql(
CREATE TABLE feed (
  seq INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,             -- key, ad, spc
  id TEXT NOT NULL,
  op TEXT NOT NULL,               -- put, remove
  reason TEXT,                    -- remove: revoked, expired, replaced, withdrawn
  detail TEXT,                    -- revoked: the proof JWS; replaced: the newer id; withdrawn: a note
  body TEXT,                      -- spc put: {"scope","spc"}
  wide INTEGER NOT NULL,
  at INTEGER NOT NULL,            -- unix seconds
  digest BLOB NOT NULL,           -- of the whole live set after this change
  wide_digest BLOB NOT NULL       -- of the wide subset after it
);
CREATE INDEX feed_wide ON feed(seq) WHERE wide = 1;

CREATE TABLE feed_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  sequence INTEGER NOT NULL,
  pruned_through INTEGER NOT NULL, -- changes up to here are no longer kept
  digest BLOB NOT NULL,
  wide_digest BLOB NOT NULL,
  bucket_bits INTEGER NOT NULL,
  wide_threshold INTEGER NOT NULL
);
INSERT INTO feed_state
  SELECT 1, COALESCE((SELECT MAX(seq) FROM changes), 0), COALESCE((SELECT MAX(seq) FROM changes), 0),
         zeroblob(32), zeroblob(32), 0, 0;
DROP TABLE changes;

CREATE TABLE bucket_members (
  bucket INTEGER NOT NULL,
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  PRIMARY KEY (bucket, kind, id)
) WITHOUT ROWID;
CREATE TABLE bucket_sizes (
  bucket INTEGER PRIMARY KEY,
  bytes INTEGER NOT NULL          -- its records' JSON, a comma each, before padding
);
CREATE INDEX bucket_sizes_by_bytes ON bucket_sizes(bytes);

ALTER TABLE keys ADD COLUMN wide INTEGER NOT NULL DEFAULT 0;
ALTER TABLE keys ADD COLUMN removed INTEGER;   -- seq of its removal; NULL while in the feed
ALTER TABLE ads ADD COLUMN wide INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ads ADD COLUMN removed INTEGER;
ALTER TABLE spc_map ADD COLUMN wide INTEGER NOT NULL DEFAULT 0;
UPDATE keys SET removed = 0 WHERE revoked IS NOT NULL;
UPDATE ads SET removed = 0 WHERE replaced_by IS NOT NULL;
CREATE INDEX keys_in_feed ON keys(expires) WHERE removed IS NULL;
CREATE INDEX keys_wide_in_feed ON keys(id) WHERE removed IS NULL AND wide = 1;
CREATE INDEX ads_in_feed ON ads(expires) WHERE removed IS NULL;

CREATE TABLE follower_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  upstream TEXT NOT NULL,
  scope TEXT NOT NULL,            -- all or wide
  sequence INTEGER NOT NULL,      -- the upstream sequence reached; 0 before a whole snapshot
  refused_digest BLOB NOT NULL    -- XOR of the terms of refused records still in the upstream
);
CREATE TABLE follower_refused (
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE TABLE follower_snapshot_seen (
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  PRIMARY KEY (kind, id)
) WITHOUT ROWID;
)sql",
    // Version 6: the bucket index carries each member's JSON and expiry, so
    // that a bucket answer reads its members side by side in one range of
    // the index instead of one row of keys, each on its own page, per member
    // (at a million keys a bucket holds about fifteen). The JSON is a copy
    // of the record, written in the same transaction as the record itself.
    R"sql(
ALTER TABLE bucket_members ADD COLUMN item TEXT NOT NULL DEFAULT '';
ALTER TABLE bucket_members ADD COLUMN expires INTEGER;
UPDATE bucket_members SET
  item = (SELECT record FROM keys WHERE keys.id = bucket_members.id),
  expires = (SELECT expires FROM keys WHERE keys.id = bucket_members.id)
  WHERE kind = 'key';
UPDATE bucket_members SET
  item = (SELECT json_object('id', ads.id, 'jws', ads.jws) FROM ads WHERE ads.id = bucket_members.id),
  expires = (SELECT expires FROM ads WHERE ads.id = bucket_members.id)
  WHERE kind = 'ad';
UPDATE bucket_members SET
  item = (SELECT json_object('scope', spc_map.scope, 'spc', spc_map.spc) FROM spc_map
          WHERE spc_map.scope = bucket_members.id)
  WHERE kind = 'spc';
)sql",
    // Version 7: withdrawals (`removed`) came after version 2's index, so
    // counting live keys looked up each key's row to test it: 0.1 s at
    // 100,000 keys. The index now holds exactly the keys the count asks for.
    R"sql(
DROP INDEX keys_live_by_expiry;
CREATE INDEX keys_live_by_expiry ON keys(expires) WHERE revoked IS NULL AND removed IS NULL;
)sql",
    // Version 8: a bucket's members side by side in a table B-tree. As a
    // WITHOUT ROWID table, bucket_members was an index B-tree, and such a
    // tree keeps whole rows in its interior pages too: with each member's
    // JSON (about 2.3 KB) a 16 KiB page held some six, so the tree was deep
    // and mostly outside the page cache (SQLite advises rows under a
    // twentieth of a page). Now the members' JSON lives in bucket_items,
    // numbered bucket * 2^32 + slot so that one bucket is one stretch of
    // rowids, and bucket_members keeps only the names and the slot.
    R"sql(
CREATE TABLE bucket_items (
  place INTEGER PRIMARY KEY,      -- bucket * 2^32 + a slot unique within the bucket
  item TEXT NOT NULL,             -- the member's JSON, as a bucket answer carries it
  expires INTEGER                 -- unix seconds; NULL for what does not expire
);
CREATE TABLE bucket_members_8 (
  bucket INTEGER NOT NULL,
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  place INTEGER NOT NULL,         -- bucket_items.place
  PRIMARY KEY (bucket, kind, id)
) WITHOUT ROWID;
CREATE TEMP TABLE numbered AS
  SELECT bucket, kind, id, item, expires,
         (bucket << 32) + row_number() OVER (PARTITION BY bucket ORDER BY kind, id) AS place
  FROM bucket_members;
INSERT INTO bucket_items(place, item, expires) SELECT place, item, expires FROM numbered ORDER BY place;
INSERT INTO bucket_members_8(bucket, kind, id, place) SELECT bucket, kind, id, place FROM numbered;
DROP TABLE numbered;
DROP TABLE bucket_members;
ALTER TABLE bucket_members_8 RENAME TO bucket_members;
)sql",
    // Version 9: key rows in the order they came. As a WITHOUT ROWID table
    // keyed by a random id, `keys` was an index B-tree holding each row's
    // record (about 1.8 KB) in its interior pages too: some eight rows a
    // page, seven levels deep at a million keys, most of them outside any
    // cache, and every registration landed on a random page of it. As a
    // rowid table its interior pages hold only rowids (a few hundred pages
    // at a million keys), a registration appends, and the id is a small
    // index of its own.
    R"sql(
CREATE TABLE keys_9 (
  id TEXT NOT NULL UNIQUE,
  dc BLOB NOT NULL,
  expires INTEGER NOT NULL,
  signer TEXT NOT NULL,
  scope TEXT NOT NULL,
  chain TEXT NOT NULL REFERENCES chains(sha256),
  record TEXT NOT NULL,
  created INTEGER NOT NULL,
  revoked INTEGER,
  wide INTEGER NOT NULL DEFAULT 0,
  removed INTEGER
);
INSERT INTO keys_9(id, dc, expires, signer, scope, chain, record, created, revoked, wide, removed)
  SELECT id, dc, expires, signer, scope, chain, record, created, revoked, wide, removed
  FROM keys ORDER BY created, id;
DROP TABLE keys;
ALTER TABLE keys_9 RENAME TO keys;
CREATE INDEX keys_by_signer_scope ON keys(signer, scope);
CREATE INDEX keys_live_by_expiry ON keys(expires) WHERE revoked IS NULL AND removed IS NULL;
CREATE INDEX keys_in_feed ON keys(expires) WHERE removed IS NULL;
CREATE INDEX keys_wide_in_feed ON keys(id) WHERE removed IS NULL AND wide = 1;
)sql",
    // Version 10: a key's JSON is kept once, in `keys`. Version 6 copied it
    // into the bucket index too so that a bucket answer read its members
    // side by side; at a million keys the copy was 2.2 GB of a 6 GB file,
    // written on a random page with every registration, and it pushed the
    // key rows themselves out of the part of the file the memory map
    // reaches. A bucket answer now reads its keys' rows (some fifteen) by
    // id; advertisements and SPC-map entries keep their JSON in the index.
    // Certificates go the way of keys in version 9: a WITHOUT ROWID table
    // on a random hash holding each DER (some 600 bytes) in its interior
    // pages became a rowid table that appends.
    R"sql(
UPDATE bucket_items SET item = ''
  WHERE place IN (SELECT place FROM bucket_members WHERE kind = 'key');
CREATE TABLE certs_10 (
  sha256 TEXT NOT NULL UNIQUE,
  der BLOB NOT NULL
);
INSERT INTO certs_10(sha256, der) SELECT sha256, der FROM certs;
DROP TABLE certs;
ALTER TABLE certs_10 RENAME TO certs;
)sql",
    // Version 11: a key taken out of the feed is forgotten once its removal
    // has left the changes kept and its credential has expired (docs/design.md
    // section 7); this finds them without reading every key.
    R"sql(
CREATE INDEX keys_removed ON keys(removed) WHERE removed IS NOT NULL;
)sql",
};

// Steps that rewrite the records of a populated file, with what to expect:
// a long silent start looks like a hang.
std::string upgradeNote(std::int64_t to_version) {
  switch (to_version) {
    case 6:
      return "copying each bucket member's JSON into the bucket index (about a minute per "
             "million keys)";
    case 8:
      return "laying out the bucket index by bucket (about 45 s per million keys; the old "
             "index's pages stay in the file as free space, VACUUM returns them)";
    case 9:
      return "laying out the keys in the order they came (about a minute per million keys; "
             "the old table's pages stay in the file as free space, VACUUM returns them)";
    case 10:
      return "dropping the bucket index's copies of key records and laying out certificates "
             "as keys (about a minute per million keys; the space stays in the file as free "
             "pages, VACUUM returns it)";
    case 11:
      return "indexing the keys taken out of the feed (reads every key once: 25 s for ten "
             "million keys)";
    default:
      return "";
  }
}

Result<void> migrateWithin(SqliteDatabase& db, const std::function<void(const std::string&)>& say) {
  Transaction transaction(db);
  if (auto ok = transaction.begun(); !ok) return ok;
  auto version = db.userVersion();
  if (!version) return std::unexpected(version.error());
  if (*version > kSchemaVersion) {
    return fail(ErrorCode::kUnavailable, "database schema version " + std::to_string(*version) +
                                             " is newer than this keydir understands (" +
                                             std::to_string(kSchemaVersion) + "); upgrade keydir");
  }
  for (std::int64_t next = *version; next < kSchemaVersion; ++next) {
    // A file with no schema yet is being made, not upgraded.
    if (const std::string note = upgradeNote(next + 1); say && *version > 0 && !note.empty()) {
      say("upgrading the database to schema " + std::to_string(next + 1) + ": " + note);
    }
    if (auto ok = db.execute(kMigrations[next]); !ok) return ok;
  }
  if (auto ok = db.execute("PRAGMA user_version = " + std::to_string(kSchemaVersion)); !ok) {
    return ok;
  }
  return transaction.commit();
}

}  // namespace

Result<void> migrateSchema(Database& db, const std::function<void(const std::string&)>& say) {
  if (db.engine() == Database::Engine::kPostgres) return migratePostgresSchema(db, say);
  // Version 9 rebuilds a table that others refer to, which SQLite allows
  // only with foreign keys off (its documented way to change a table's
  // shape).
  ReferencesUnchecked unchecked(db);
  if (auto off = unchecked.made(); !off) return off;
  return migrateWithin(static_cast<SqliteDatabase&>(db), say);
}

}  // namespace keydir
