#include "directory/store/postgres_schema.h"

namespace keydir {
namespace {

// Version 1: SQLite's schema 10, with PostgreSQL's types. Text compares by
// bytes (COLLATE "C") so that records come in the order SQLite gives them;
// bytes are BYTEA; every integer is 64 bits, as SQLite's. Tables are heaps
// here, so `keys` and `certs` keep a primary key on their id, and `keys`
// numbers its rows in the order they came as SQLite's rowid does (writers
// run one at a time), which a snapshot follows.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE certs (
  sha256 TEXT COLLATE "C" PRIMARY KEY,
  der BYTEA NOT NULL
);
CREATE TABLE chains (
  sha256 TEXT COLLATE "C" PRIMARY KEY,
  cert_hashes TEXT COLLATE "C" NOT NULL
);
CREATE TABLE keys (
  rowid BIGSERIAL NOT NULL,
  id TEXT COLLATE "C" PRIMARY KEY,
  dc BYTEA NOT NULL,
  expires BIGINT NOT NULL,
  signer TEXT COLLATE "C" NOT NULL,
  scope TEXT COLLATE "C" NOT NULL,
  chain TEXT COLLATE "C" NOT NULL REFERENCES chains(sha256),
  record TEXT COLLATE "C" NOT NULL,
  created BIGINT NOT NULL,
  revoked BIGINT,
  wide BIGINT NOT NULL DEFAULT 0,
  removed BIGINT
);
CREATE INDEX keys_by_signer_scope ON keys(signer, scope);
CREATE INDEX keys_live_by_expiry ON keys(expires) WHERE revoked IS NULL AND removed IS NULL;
CREATE INDEX keys_in_feed ON keys(expires, rowid) WHERE removed IS NULL;
CREATE INDEX keys_wide_in_feed ON keys(id) WHERE removed IS NULL AND wide = 1;

CREATE TABLE key_blocks (
  block TEXT COLLATE "C" NOT NULL,
  key_id TEXT COLLATE "C" NOT NULL REFERENCES keys(id),
  specificity BIGINT NOT NULL,
  PRIMARY KEY (block, key_id)
);
CREATE TABLE key_spcs (
  spc TEXT COLLATE "C" NOT NULL,
  key_id TEXT COLLATE "C" NOT NULL REFERENCES keys(id),
  PRIMARY KEY (spc, key_id)
);

CREATE TABLE spc_map (
  scope TEXT COLLATE "C" PRIMARY KEY,
  spc TEXT COLLATE "C" NOT NULL,
  count BIGINT NOT NULL,
  length BIGINT NOT NULL,
  first TEXT COLLATE "C" NOT NULL,
  last TEXT COLLATE "C" NOT NULL,
  wide BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX spc_map_by_spc ON spc_map(spc);
CREATE INDEX spc_map_by_start ON spc_map(length, first);
CREATE TABLE spc_blocks (
  block TEXT COLLATE "C" NOT NULL,
  scope TEXT COLLATE "C" NOT NULL REFERENCES spc_map(scope) ON DELETE CASCADE,
  PRIMARY KEY (block, scope)
);

CREATE TABLE revocation_jtis (
  jti TEXT COLLATE "C" PRIMARY KEY,
  seen BIGINT NOT NULL
);

CREATE TABLE ads (
  id TEXT COLLATE "C" PRIMARY KEY,
  signer TEXT COLLATE "C" NOT NULL,
  iat BIGINT NOT NULL,
  exp BIGINT,
  expires BIGINT NOT NULL,
  jws TEXT COLLATE "C" NOT NULL,
  chain TEXT COLLATE "C" NOT NULL REFERENCES chains(sha256),
  created BIGINT NOT NULL,
  replaced_by TEXT COLLATE "C",
  wide BIGINT NOT NULL DEFAULT 0,
  removed BIGINT
);
CREATE UNIQUE INDEX ads_current_by_signer ON ads(signer) WHERE replaced_by IS NULL;
CREATE INDEX ads_in_feed ON ads(expires) WHERE removed IS NULL;
CREATE TABLE ad_blocks (
  block TEXT COLLATE "C" NOT NULL,
  ad_id TEXT COLLATE "C" NOT NULL REFERENCES ads(id),
  scope TEXT COLLATE "C" NOT NULL,
  uri TEXT COLLATE "C" NOT NULL,
  specificity BIGINT NOT NULL,
  PRIMARY KEY (block, ad_id, scope)
);
CREATE INDEX ad_blocks_by_ad ON ad_blocks(ad_id);
CREATE TABLE ad_spcs (
  spc TEXT COLLATE "C" NOT NULL,
  ad_id TEXT COLLATE "C" NOT NULL REFERENCES ads(id),
  uri TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (spc, ad_id)
);
CREATE INDEX ad_spcs_by_ad ON ad_spcs(ad_id);

CREATE TABLE block_shapes (
  kind TEXT COLLATE "C" NOT NULL,
  length BIGINT NOT NULL,
  prefix_length BIGINT NOT NULL,
  PRIMARY KEY (kind, length, prefix_length)
);

CREATE TABLE feed (
  seq BIGINT PRIMARY KEY,
  kind TEXT COLLATE "C" NOT NULL,
  id TEXT COLLATE "C" NOT NULL,
  op TEXT COLLATE "C" NOT NULL,
  reason TEXT COLLATE "C",
  detail TEXT COLLATE "C",
  body TEXT COLLATE "C",
  wide BIGINT NOT NULL,
  at BIGINT NOT NULL,
  digest BYTEA NOT NULL,
  wide_digest BYTEA NOT NULL
);
CREATE INDEX feed_wide ON feed(seq) WHERE wide = 1;

-- The feed's head: every writing transaction updates this one row, under
-- the writers' lock, so sequences follow commit order.
CREATE TABLE feed_state (
  id BIGINT PRIMARY KEY CHECK (id = 1),
  sequence BIGINT NOT NULL,
  pruned_through BIGINT NOT NULL,
  digest BYTEA NOT NULL,
  wide_digest BYTEA NOT NULL,
  bucket_bits BIGINT NOT NULL,
  wide_threshold BIGINT NOT NULL
);
INSERT INTO feed_state VALUES (1, 0, 0, decode(repeat('00', 32), 'hex'),
                               decode(repeat('00', 32), 'hex'), 0, 0);

CREATE TABLE bucket_members (
  bucket BIGINT NOT NULL,
  kind TEXT COLLATE "C" NOT NULL,
  id TEXT COLLATE "C" NOT NULL,
  place BIGINT NOT NULL,
  PRIMARY KEY (bucket, kind, id)
);
CREATE TABLE bucket_items (
  place BIGINT PRIMARY KEY,
  item TEXT COLLATE "C" NOT NULL,
  expires BIGINT
);
CREATE TABLE bucket_sizes (
  bucket BIGINT PRIMARY KEY,
  bytes BIGINT NOT NULL
);
CREATE INDEX bucket_sizes_by_bytes ON bucket_sizes(bytes);

CREATE TABLE follower_state (
  id BIGINT PRIMARY KEY CHECK (id = 1),
  upstream TEXT COLLATE "C" NOT NULL,
  scope TEXT COLLATE "C" NOT NULL,
  sequence BIGINT NOT NULL,
  refused_digest BYTEA NOT NULL
);
CREATE TABLE follower_refused (
  kind TEXT COLLATE "C" NOT NULL,
  id TEXT COLLATE "C" NOT NULL,
  reason TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (kind, id)
);
CREATE TABLE follower_snapshot_seen (
  kind TEXT COLLATE "C" NOT NULL,
  id TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (kind, id)
);
)sql";

// Version 2: a key's record (1.8 KB as served, its chain in base64) stays
// in its row. PostgreSQL moves the long values of a row over about 2 KB
// into a TOAST table, so every lookup read a key through that table's index
// and a page of it as well: at a million keys 1.9 GB of the 2.6 GB of
// `keys` lived there. A target of a whole page keeps such rows whole.
// Rows already written move only when rewritten (VACUUM FULL keys).
constexpr const char* kVersion2 = "ALTER TABLE keys SET (toast_tuple_target = 8160)";

// Version 3: forgetting keys (SQLite's schema 11). A key's blocks and SPC
// rows referred to it, so that deleting a key looked for rows naming it in
// both tables, whose indexes lead with the block and the SPC: a scan of
// each for every key deleted. The store deletes those rows first and
// writes them only with their key, which is what the references checked.
constexpr const char* kVersion3 = R"sql(
ALTER TABLE key_blocks DROP CONSTRAINT key_blocks_key_id_fkey;
ALTER TABLE key_spcs DROP CONSTRAINT key_spcs_key_id_fkey;
CREATE INDEX keys_removed ON keys(removed) WHERE removed IS NOT NULL;
)sql";

constexpr const char* kMigrations[] = {kVersion1, kVersion2, kVersion3};

}  // namespace

Result<void> migratePostgresSchema(Database& db,
                                   const std::function<void(const std::string&)>& say) {
  Transaction transaction(db);  // holds the writers' lock: one migrates at a time
  if (auto ok = transaction.begun(); !ok) return ok;
  if (auto ok = db.execute("CREATE TABLE IF NOT EXISTS keydir_schema (version BIGINT NOT NULL)");
      !ok) {
    return ok;
  }
  auto select = db.prepare("SELECT version FROM keydir_schema");
  if (!select) return std::unexpected(select.error());
  auto row = select->step();
  if (!row) return std::unexpected(row.error());
  const std::int64_t version = *row ? select->integer(0) : 0;
  select->reset();
  if (version > kPostgresSchemaVersion) {
    return fail(ErrorCode::kUnavailable, "database schema version " + std::to_string(version) +
                                             " is newer than this keydir understands (" +
                                             std::to_string(kPostgresSchemaVersion) +
                                             "); upgrade keydir");
  }
  for (std::int64_t next = version; next < kPostgresSchemaVersion; ++next) {
    if (say && version > 0) say("upgrading the database to schema " + std::to_string(next + 1));
    if (auto ok = db.execute(kMigrations[next]); !ok) return ok;
  }
  if (version < kPostgresSchemaVersion) {
    if (auto ok = db.execute("DELETE FROM keydir_schema"); !ok) return ok;
    auto mark = db.prepare("INSERT INTO keydir_schema(version) VALUES (?1)");
    if (!mark) return std::unexpected(mark.error());
    if (auto ok = mark->bind(1, kPostgresSchemaVersion).run(); !ok) return ok;
  }
  return transaction.commit();
}

Result<bool> postgresIsEmpty(Database& db) {
  auto select = db.prepare(
      "SELECT (SELECT COUNT(*) FROM keys) + (SELECT COUNT(*) FROM ads) +"
      " (SELECT COUNT(*) FROM spc_map) + (SELECT sequence FROM feed_state)");
  if (!select) return std::unexpected(select.error());
  auto counted = select->step();
  if (!counted) return std::unexpected(counted.error());
  return *counted && select->integer(0) == 0;
}

}  // namespace keydir
