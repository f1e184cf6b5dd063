#include "directory/store/postgres.h"

#include <endian.h>

#include <charconv>
#include <cstring>

namespace keydir {
namespace {

// One key for the whole database: every keydir writer holds it for its
// transaction (pg_advisory_xact_lock), whichever process it is in. The
// notice goes out only if the transaction commits, and tells the other
// processes to look at the feed's head (postgres_listener.h).
constexpr const char* kBeginWrite =
    "BEGIN; SELECT pg_advisory_xact_lock(7242650013); NOTIFY keydir_feed";
// One snapshot for every statement of a read, as SQLite's read transaction.
constexpr const char* kBeginRead = "BEGIN ISOLATION LEVEL REPEATABLE READ";
constexpr int kCursorRows = 1000;

// Binary type OIDs as the server sends them (catalog/pg_type.dat).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;

std::string messageOf(PGconn* conn, const PGresult* result) {
  std::string text = result ? PQresultErrorMessage(result) : "";
  if (text.empty() && conn) text = PQerrorMessage(conn);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text.empty() ? "no answer from the server" : text;
}

std::int64_t bigEndian(const char* bytes, int size) {
  switch (size) {
    case 8: {
      std::uint64_t value;
      std::memcpy(&value, bytes, 8);
      return std::int64_t(be64toh(value));
    }
    case 4: {
      std::uint32_t value;
      std::memcpy(&value, bytes, 4);
      return std::int32_t(be32toh(value));
    }
    case 2: {
      std::uint16_t value;
      std::memcpy(&value, bytes, 2);
      return std::int16_t(be16toh(value));
    }
    case 1:
      return bytes[0];
    default:
      return 0;
  }
}

bool isInteger(Oid type) {
  return type == kInt8Oid || type == kInt4Oid || type == kInt2Oid || type == kBoolOid;
}

}  // namespace

bool isPostgresTarget(std::string_view target) {
  return target.starts_with("postgresql://") || target.starts_with("postgres://");
}

std::string redactedTarget(std::string_view target) {
  if (!isPostgresTarget(target)) return std::string(target);
  // scheme://user:password@host... -> scheme://user:***@host...
  const auto scheme_end = target.find("://") + 3;
  const auto at = target.find('@', scheme_end);
  if (at == std::string_view::npos) return std::string(target);
  const auto colon = target.find(':', scheme_end);
  if (colon == std::string_view::npos || colon > at) return std::string(target);
  return std::string(target.substr(0, colon + 1)) + "***" + std::string(target.substr(at));
}

std::string postgresPlaceholders(std::string_view sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 8);
  int highest = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') quoted = !quoted;
    if (quoted || c != '?') {
      out += c;
      continue;
    }
    std::size_t end = i + 1;
    while (end < sql.size() && sql[end] >= '0' && sql[end] <= '9') ++end;
    int number = 0;
    std::from_chars(sql.data() + i + 1, sql.data() + end, number);
    highest = std::max(highest, number);
    out += '$' + std::to_string(number);
    i = end - 1;
  }
  if (count) *count = highest;
  return out;
}

PgStatement::PgStatement(PgDatabase& db, std::string name, int parameters, std::string cursor_query)
    : db_(db),
      name_(std::move(name)),
      values_(std::size_t(parameters)),
      given_(std::size_t(parameters), 0),
      formats_(std::size_t(parameters), 0),
      pointers_(std::size_t(parameters)),
      lengths_(std::size_t(parameters)),
      cursor_query_(std::move(cursor_query)) {}

void PgStatement::bind(int index, std::string value, bool binary) {
  if (index < 1 || std::size_t(index) > values_.size()) return;
  values_[std::size_t(index - 1)] = std::move(value);
  given_[std::size_t(index - 1)] = 1;
  formats_[std::size_t(index - 1)] = binary ? 1 : 0;
}

void PgStatement::bindNull(int index) {
  if (index < 1 || std::size_t(index) > values_.size()) return;
  given_[std::size_t(index - 1)] = 0;
}

void PgStatement::point() {
  for (std::size_t i = 0; i < values_.size(); ++i) {
    pointers_[i] = given_[i] ? values_[i].data() : nullptr;
    lengths_[i] = int(values_[i].size());
  }
}

bool PgStatement::deferrable() const { return db_.canDefer() && cursor_query_.empty(); }

Result<void> PgStatement::defer() {
  point();
  return db_.defer(name_, int(pointers_.size()), pointers_.data(), lengths_.data(),
                   formats_.data());
}

Result<void> PgStatement::execute() {
  if (auto settled = db_.settle(); !settled) return settled;
  point();
  // A cursor is declared afresh each time (DECLARE is not a statement
  // PostgreSQL prepares); the query inside it is planned then.
  auto done =
      cursor_query_.empty()
          ? db_.check(PQexecPrepared(db_.handle(), name_.c_str(), int(pointers_.size()),
                                     pointers_.data(), lengths_.data(), formats_.data(), 1),
                      "statement")
          : db_.check(PQexecParams(db_.handle(), cursor_query_.c_str(), int(pointers_.size()),
                                   nullptr, pointers_.data(), lengths_.data(), formats_.data(), 1),
                      "cursor");
  if (!done) return std::unexpected(done.error());
  executed_ = true;
  row_ = -1;
  if (!cursor_query_.empty()) return fetch();
  db_.noteChanges(done->get());
  result_ = std::move(*done);
  return {};
}

Result<void> PgStatement::fetch() {
  if (auto settled = db_.settle(); !settled) return settled;
  const std::string sql = "FETCH " + std::to_string(kCursorRows) + " FROM " + name_ + "_c";
  auto rows = db_.check(
      PQexecParams(db_.handle(), sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 1), "fetch");
  if (!rows) return std::unexpected(rows.error());
  result_ = std::move(*rows);
  row_ = -1;
  cursor_done_ = PQntuples(result_.get()) < kCursorRows;
  return {};
}

Result<bool> PgStatement::step() {
  if (!executed_) {
    if (auto ok = execute(); !ok) return std::unexpected(ok.error());
  }
  if (!result_) return false;
  if (++row_ < PQntuples(result_.get())) return true;
  if (cursor_query_.empty() || cursor_done_) return false;
  if (auto ok = fetch(); !ok) return std::unexpected(ok.error());
  return ++row_ < PQntuples(result_.get());
}

std::int64_t PgStatement::integer(int column) const {
  if (!result_ || PQgetisnull(result_.get(), row_, column)) return 0;
  const char* bytes = PQgetvalue(result_.get(), row_, column);
  const int size = PQgetlength(result_.get(), row_, column);
  if (isInteger(PQftype(result_.get(), column))) return bigEndian(bytes, size);
  std::int64_t value = 0;
  std::from_chars(bytes, bytes + size, value);
  return value;
}

std::string PgStatement::text(int column) const {
  if (!result_ || PQgetisnull(result_.get(), row_, column)) return {};
  if (isInteger(PQftype(result_.get(), column))) return std::to_string(integer(column));
  return std::string(PQgetvalue(result_.get(), row_, column),
                     std::size_t(PQgetlength(result_.get(), row_, column)));
}

bool PgStatement::isNull(int column) const {
  return !result_ || PQgetisnull(result_.get(), row_, column);
}

bool PgStatement::isBlob(int column) const {
  return result_ && PQftype(result_.get(), column) == kByteaOid;
}

void PgStatement::reset() {
  if (executed_ && !cursor_query_.empty() && db_.inTransaction() && db_.settle()) {
    const std::string sql = "CLOSE " + name_ + "_c";
    (void)db_.check(PQexec(db_.handle(), sql.c_str()), "close");
  }
  result_.reset();
  executed_ = false;
  cursor_done_ = false;
  row_ = -1;
  std::fill(given_.begin(), given_.end(), 0);
}

Result<std::unique_ptr<PgDatabase>> PgDatabase::connect(const std::string& target) {
  PgConnPtr conn(PQconnectdb(target.c_str()));
  if (!conn) return fail(ErrorCode::kUnavailable, "cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return fail(ErrorCode::kUnavailable, "cannot connect to PostgreSQL at " +
                                             redactedTarget(target) + ": " +
                                             messageOf(conn.get(), nullptr));
  }
  std::unique_ptr<PgDatabase> db(new PgDatabase(std::move(conn)));
  // Notices (a table already there, a cursor closed) are not the log's business.
  PQsetNoticeProcessor(
      db->handle(), [](void*, const char*) {}, nullptr);
  if (auto ok = db->execute("SET client_encoding = 'UTF8'"); !ok)
    return std::unexpected(ok.error());
  return db;
}

Result<PgResultPtr> PgDatabase::check(PGresult* raw, std::string_view what) {
  PgResultPtr result(raw);
  const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  return fail(ErrorCode::kUnavailable,
              "storage: " + std::string(what) + ": " + messageOf(conn_.get(), result.get()));
}

void PgDatabase::noteChanges(const PGresult* result) {
  const char* tuples = PQcmdTuples(const_cast<PGresult*>(result));
  if (tuples && *tuples) changes_ = std::atoll(tuples);
}

Result<Statement> PgDatabase::prepare(std::string_view sql) {
  auto cached = statements_.find(std::string(sql));
  if (cached != statements_.end()) return Statement(cached->second.get());
  if (auto settled = settle(); !settled) return std::unexpected(settled.error());
  int parameters = 0;
  const std::string translated = postgresPlaceholders(sql, &parameters);
  const std::string name = "k" + std::to_string(statements_.size() + 1);
  auto prepared =
      check(PQprepare(conn_.get(), name.c_str(), translated.c_str(), 0, nullptr), "prepare");
  if (!prepared) return std::unexpected(prepared.error());
  auto [entry, inserted] = statements_.emplace(
      std::string(sql), std::make_unique<PgStatement>(*this, name, parameters, ""));
  return Statement(entry->second.get());
}

Result<Statement> PgDatabase::prepareStreaming(std::string_view sql) {
  const std::string key = "cursor:" + std::string(sql);
  auto cached = statements_.find(key);
  if (cached != statements_.end()) return Statement(cached->second.get());
  int parameters = 0;
  const std::string name = "k" + std::to_string(statements_.size() + 1);
  const std::string declare =
      "DECLARE " + name + "_c NO SCROLL CURSOR FOR " + postgresPlaceholders(sql, &parameters);
  auto [entry, inserted] =
      statements_.emplace(key, std::make_unique<PgStatement>(*this, name, parameters, declare));
  return Statement(entry->second.get());
}

Result<void> PgDatabase::execute(std::string_view sql) {
  // A rollback runs whatever failed before it.
  if (auto settled = settle(); !settled && !sql.starts_with("ROLLBACK")) return settled;
  auto done = check(PQexec(conn_.get(), std::string(sql).c_str()), "execute");
  if (!done) return std::unexpected(done.error());
  noteChanges(done->get());
  return {};
}

bool PgDatabase::inTransaction() const { return PQtransactionStatus(conn_.get()) != PQTRANS_IDLE; }

bool PgDatabase::broken() const { return stuck_ || PQstatus(conn_.get()) != CONNECTION_OK; }

Result<void> PgDatabase::beginTransaction(TransactionKind kind) {
  auto begun = execute(kind == TransactionKind::kWrite ? kBeginWrite : kBeginRead);
  if (begun && kind == TransactionKind::kWrite) writing_ = true;
  if (!begun && inTransaction()) rollbackTransaction();
  return begun;
}

Result<void> PgDatabase::commitTransaction() {
  auto settled = settle();
  const bool was_writing = std::exchange(writing_, false);
  if (!settled) {
    rollbackTransaction();
    return settled;
  }
  auto done = check(PQexec(conn_.get(), "COMMIT"), "commit");
  if (!done) return std::unexpected(done.error());
  // A transaction in which a statement failed ends in ROLLBACK, though
  // COMMIT was asked for.
  if (std::string_view(PQcmdStatus(done->get())) != "COMMIT") {
    return fail(ErrorCode::kUnavailable,
                "storage: the transaction was rolled back: a statement in it failed");
  }
  if (was_writing) countCommitInThisProcess();
  return {};
}

void PgDatabase::rollbackTransaction() {
  (void)settle();  // what failed is why it rolls back
  writing_ = false;
  (void)check(PQexec(conn_.get(), "ROLLBACK"), "rollback");
}

std::int64_t PgDatabase::changes() {
  // A failure here is returned again by the next operation that settles.
  (void)settle();
  return changes_;
}

Result<void> PgDatabase::defer(const std::string& name, int count, const char* const* values,
                               const int* lengths, const int* formats) {
  // The answers wait in the server's socket until read: settle before
  // they could fill it while this side still writes.
  constexpr int kMostDeferred = 256;
  if (deferred_ >= kMostDeferred) {
    if (auto settled = settle(); !settled) return settled;
  }
  if (!pipelining_) {
    if (PQenterPipelineMode(conn_.get()) != 1) {
      return fail(ErrorCode::kUnavailable, "storage: pipeline: " + messageOf(conn_.get(), nullptr));
    }
    pipelining_ = true;
  }
  if (PQsendQueryPrepared(conn_.get(), name.c_str(), count, values, lengths, formats, 1) != 1) {
    return fail(ErrorCode::kUnavailable, "storage: statement: " + messageOf(conn_.get(), nullptr));
  }
  ++deferred_;
  return {};
}

Result<void> PgDatabase::settle() {
  if (!pipelining_) return {};
  Result<void> outcome;
  const auto lost = [&] {
    return fail(ErrorCode::kUnavailable, "storage: pipeline: " + messageOf(conn_.get(), nullptr));
  };
  // Each statement's answer ends in a null; the sync's own answer ends the
  // lot, and is read even after a failure, so that the connection can leave
  // the pipeline. A statement after a failed one is skipped
  // (PGRES_PIPELINE_ABORTED); the first failure is the outcome.
  const bool synced = PQpipelineSync(conn_.get()) == 1;
  if (!synced) outcome = lost();
  for (int nulls = 0; synced;) {
    PgResultPtr result(PQgetResult(conn_.get()));
    if (!result) {
      if (PQstatus(conn_.get()) == CONNECTION_OK && ++nulls <= deferred_ + 1) continue;
      if (outcome) outcome = lost();
      break;
    }
    const auto status = PQresultStatus(result.get());
    if (status == PGRES_PIPELINE_SYNC) break;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
      noteChanges(result.get());
    } else if (status != PGRES_PIPELINE_ABORTED && outcome) {
      outcome = fail(ErrorCode::kUnavailable,
                     "storage: statement: " + messageOf(conn_.get(), result.get()));
    }
  }
  deferred_ = 0;
  pipelining_ = false;
  if (PQexitPipelineMode(conn_.get()) != 1) {
    // Still in the pipeline, where nothing else works: never lend it again.
    stuck_ = true;
    if (outcome) outcome = lost();
  }
  return outcome;
}

}  // namespace keydir
