#include "directory/store/migrate.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#include "directory/store/feed_hashes.h"
#include "directory/store/postgres.h"
#include "directory/store/postgres_schema.h"
#include "directory/store/schema.h"
#include "directory/store/sqlite.h"

namespace keydir {
namespace {

// Every table of a directory, in an order that satisfies the foreign keys,
// with the columns both schemas share (`keys` brings its arrival order).
struct Table {
  const char* name;
  const char* columns;
};
constexpr Table kTables[] = {
    {"certs", "sha256, der"},
    {"chains", "sha256, cert_hashes"},
    {"keys",
     "rowid, id, dc, expires, signer, scope, chain, record, created, revoked, wide, removed"},
    {"key_blocks", "block, key_id, specificity"},
    {"key_spcs", "spc, key_id"},
    {"spc_map", "scope, spc, count, length, first, last, wide"},
    {"spc_blocks", "block, scope"},
    {"revocation_jtis", "jti, seen"},
    {"ads", "id, signer, iat, exp, expires, jws, chain, created, replaced_by, wide, removed"},
    {"ad_blocks", "block, ad_id, scope, uri, specificity"},
    {"ad_spcs", "spc, ad_id, uri"},
    {"block_shapes", "kind, length, prefix_length"},
    {"feed", "seq, kind, id, op, reason, detail, body, wide, at, digest, wide_digest"},
    {"bucket_members", "bucket, kind, id, place"},
    {"bucket_items", "place, item, expires"},
    {"bucket_sizes", "bucket, bytes"},
};
// Rows a multi-row INSERT carries: one round trip each, far below
// PostgreSQL's 65535 parameters at twelve columns.
constexpr int kRowsPerInsert = 200;

int columnCount(std::string_view columns) {
  return 1 + int(std::count(columns.begin(), columns.end(), ','));
}

std::string multiRowInsert(const Table& table, int rows) {
  const int width = columnCount(table.columns);
  std::string sql = std::string("INSERT INTO ") + table.name + "(" + table.columns + ") VALUES ";
  for (int row = 0; row < rows; ++row) {
    sql += row ? ",(" : "(";
    for (int column = 0; column < width; ++column) {
      sql += (column ? ",?" : "?") + std::to_string(row * width + column + 1);
    }
    sql += ")";
  }
  return sql;
}

// One value as read from SQLite, to be bound as the same kind.
struct Value {
  enum class Kind { kNull, kText, kBytes } kind;
  std::string bytes;
};

// Inserts `rows` rows of `values` with one statement.
Result<void> insertRows(Database& to, const Table& table, const std::vector<Value>& values,
                        int rows) {
  auto insert = to.prepare(multiRowInsert(table, rows));
  if (!insert) return std::unexpected(insert.error());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const int index = int(i) + 1;
    switch (values[i].kind) {
      case Value::Kind::kNull:
        insert->bindNull(index);
        break;
      case Value::Kind::kBytes:
        insert->bindBlob(index, values[i].bytes);
        break;
      case Value::Kind::kText:
        insert->bind(index, values[i].bytes);
        break;
    }
  }
  return insert->run();
}

// Copies one table's rows, in batches; returns how many.
Result<std::int64_t> copyTable(
    Database& from, Database& to, const Table& table,
    const std::function<void(const std::string&, std::int64_t)>& progress) {
  const int width = columnCount(table.columns);
  auto select = from.prepare(std::string("SELECT ") + table.columns + " FROM " + table.name);
  if (!select) return std::unexpected(select.error());
  std::int64_t copied = 0;
  int pending = 0;
  std::vector<Value> batch;
  for (;;) {
    auto row = select->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    for (int column = 0; column < width; ++column) {
      if (select->isNull(column)) {
        batch.push_back({Value::Kind::kNull, {}});
      } else {
        batch.push_back({select->isBlob(column) ? Value::Kind::kBytes : Value::Kind::kText,
                         select->text(column)});
      }
    }
    ++copied;
    if (++pending == kRowsPerInsert) {
      if (auto ok = insertRows(to, table, batch, pending); !ok) return std::unexpected(ok.error());
      pending = 0;
      batch.clear();
      if (progress && copied % 100000 == 0) progress(table.name, copied);
    }
  }
  if (pending > 0) {
    if (auto ok = insertRows(to, table, batch, pending); !ok) return std::unexpected(ok.error());
  }
  if (progress) progress(table.name, copied);
  return copied;
}

Result<std::int64_t> countRows(Database& db, const char* table) {
  auto count = db.prepare(std::string("SELECT COUNT(*) FROM ") + table);
  if (!count) return std::unexpected(count.error());
  auto row = count->step();
  if (!row) return std::unexpected(row.error());
  return count->integer(0);
}

// The feed's head as stored: sequence, pruned_through, the two digests and
// the two settings.
using FeedHead = std::vector<std::string>;

Result<FeedHead> readHead(Database& db) {
  auto select = db.prepare(
      "SELECT sequence, pruned_through, digest, wide_digest, bucket_bits, wide_threshold "
      "FROM feed_state");
  if (!select) return std::unexpected(select.error());
  auto row = select->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(ErrorCode::kMalformed, "the database has no feed state");
  FeedHead head;
  for (int column = 0; column < 6; ++column) head.push_back(select->text(column));
  return head;
}

}  // namespace

Result<MigrationReport> migrateToPostgres(
    const std::string& from, const std::string& to,
    const std::function<void(const std::string&, std::int64_t)>& progress) {
  if (!isPostgresTarget(to)) {
    return fail(ErrorCode::kMalformed, "the target must be a postgresql:// URI, not " + to);
  }
  if (!std::filesystem::exists(from)) {
    return fail(ErrorCode::kNotFound, "no directory file " + from + " to migrate");
  }
  auto source = SqliteDatabase::open(from);
  if (!source) return std::unexpected(source.error());
  // A file of an older keydir is brought to the current shape first, as
  // `keydir serve` would on opening it.
  if (auto ok = migrateSchema(**source); !ok) return failWithContext(ok.error(), from);
  auto target = PgDatabase::connect(to);
  if (!target) return std::unexpected(target.error());
  if (auto ok = migratePostgresSchema(**target); !ok) return std::unexpected(ok.error());
  auto empty = postgresIsEmpty(**target);
  if (!empty) return std::unexpected(empty.error());
  if (!*empty) {
    return fail(ErrorCode::kMalformed,
                redactedTarget(to) +
                    " already holds a directory's records; migrate into an empty database");
  }

  Transaction reading(**source, TransactionKind::kRead);
  if (auto ok = reading.begun(); !ok) return std::unexpected(ok.error());
  Transaction writing(**target);
  if (auto ok = writing.begun(); !ok) return std::unexpected(ok.error());
  MigrationReport report;
  for (const Table& table : kTables) {
    auto copied = copyTable(**source, **target, table, progress);
    if (!copied) return failWithContext(copied.error(), std::string("copying ") + table.name);
    report.tables.push_back({table.name, *copied});
  }
  auto head = readHead(**source);
  if (!head) return std::unexpected(head.error());
  auto update = (*target)->prepare(
      "UPDATE feed_state SET sequence = ?1, pruned_through = ?2, digest = ?3, wide_digest = ?4,"
      " bucket_bits = ?5, wide_threshold = ?6");
  if (!update) return std::unexpected(update.error());
  update->bind(1, (*head)[0]).bind(2, (*head)[1]);
  update->bindBlob(3, (*head)[2]).bindBlob(4, (*head)[3]);
  update->bind(5, (*head)[4]).bind(6, (*head)[5]);
  if (auto ok = update->run(); !ok) return std::unexpected(ok.error());
  // New keys are numbered after the copied ones.
  if (auto ok = (*target)->execute("SELECT setval(pg_get_serial_sequence('keys', 'rowid'),"
                                   " COALESCE((SELECT MAX(rowid) FROM keys), 0) + 1, false)");
      !ok) {
    return std::unexpected(ok.error());
  }

  // Both ends agree, or nothing is kept.
  for (const auto& table : report.tables) {
    auto there = countRows(**target, table.name.c_str());
    if (!there) return std::unexpected(there.error());
    if (*there != table.rows) {
      return fail(ErrorCode::kMalformed, "table " + table.name + " has " + std::to_string(*there) +
                                             " rows after the copy, not " +
                                             std::to_string(table.rows));
    }
  }
  auto copied_head = readHead(**target);
  if (!copied_head) return std::unexpected(copied_head.error());
  if (*copied_head != *head) {
    return fail(ErrorCode::kMalformed, "the feed's sequence or digests differ after the copy");
  }
  if (auto ok = writing.commit(); !ok) return std::unexpected(ok.error());
  // Statistics for the planner now, not when autovacuum comes round: with
  // none, PostgreSQL planned the first lookups of a million migrated keys
  // as table scans, and a directory started at once answered nothing.
  if (progress) progress("statistics (ANALYZE)", 0);
  if (auto ok = (*target)->execute("ANALYZE"); !ok) return std::unexpected(ok.error());
  report.sequence = std::stoll((*head)[0]);
  report.digest = digestHex(digestFromBytes((*head)[2]));
  return report;
}

}  // namespace keydir
