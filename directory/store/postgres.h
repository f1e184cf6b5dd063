#pragma once
// Database on PostgreSQL through libpq (docs/design.md section 15). Statements
// are prepared once per connection under a name of their own; their ?N
// placeholders become $N. Values go as text, bytes as binary, and rows come
// back in binary, so that bytes read are the bytes stored. A write
// transaction takes one advisory lock for the whole database before it
// reads anything: writers from every process run one at a time, as on
// SQLite, so a change's feed sequence is taken in commit order.

#include <libpq-fe.h>

#include <string>
#include <unordered_map>

#include "directory/store/database.h"

namespace keydir {

using PgConnPtr = std::unique_ptr<PGconn, Free<&PQfinish>>;
using PgResultPtr = std::unique_ptr<PGresult, Free<&PQclear>>;

// Whether `target` names a PostgreSQL database rather than a SQLite file.
bool isPostgresTarget(std::string_view target);
// The target with any password taken out, for messages and logs.
std::string redactedTarget(std::string_view target);

class PgDatabase;

class PgStatement {
 public:
  PgStatement(PgDatabase& db, std::string name, int parameters, std::string cursor_query);
  void bind(int index, std::string value, bool binary);
  void bindNull(int index);
  Result<bool> step();
  // Inside a write transaction a statement whose rows nobody reads is sent
  // without waiting (PgDatabase::defer).
  bool deferrable() const;
  Result<void> defer();
  std::int64_t integer(int column) const;
  std::string text(int column) const;
  bool isNull(int column) const;
  bool isBlob(int column) const;
  void reset();

 private:
  Result<void> execute();
  Result<void> fetch();
  void point();  // pointers_ and lengths_ at the bound values

  PgDatabase& db_;
  std::string name_;
  std::vector<std::string> values_;
  std::vector<char> given_;
  std::vector<int> formats_;
  // What libpq is handed, kept with the statement so that an execution on
  // a lookup's path allocates nothing for it.
  std::vector<const char*> pointers_;
  std::vector<int> lengths_;
  PgResultPtr result_;
  int row_ = -1;
  bool executed_ = false;
  // A streaming statement reads its rows through a cursor, some at a time.
  std::string cursor_query_;  // empty: not streaming
  bool cursor_done_ = false;
};

class PgDatabase final : public Database {
 public:
  // Connects to `target` (a postgresql:// URI; libpq's own settings and
  // variables apply). kUnavailable, with libpq's reason, when it cannot.
  static Result<std::unique_ptr<PgDatabase>> connect(const std::string& target);

  Engine engine() const override { return Engine::kPostgres; }
  // Its planner reads partial indexes by itself.
  std::string indexedBy(std::string_view) const override { return {}; }
  Result<Statement> prepare(std::string_view sql) override;
  Result<Statement> prepareStreaming(std::string_view sql) override;
  Result<void> execute(std::string_view sql) override;
  Result<void> executeCached(std::string_view sql) override { return execute(sql); }
  std::int64_t changes() override;
  bool inTransaction() const override;
  bool inWriteTransaction() const override { return writing_; }
  Result<void> beginTransaction(TransactionKind kind) override;
  Result<void> commitTransaction() override;
  void rollbackTransaction() override;
  bool broken() const override;

  PGconn* handle() const { return conn_.get(); }
  // Inside a write transaction, a statement whose rows nobody reads is sent
  // without waiting for its answer (libpq's pipeline mode): a writer's
  // fifteen-odd statements a key were as many round trips. Every operation
  // that needs an answer first settles: it reads what was sent, and
  // returns the first failure among it, which dooms the transaction.
  bool canDefer() const { return writing_; }
  Result<void> defer(const std::string& name, int count, const char* const* values,
                     const int* lengths, const int* formats);
  Result<void> settle();
  // For its statements: the outcome of a command, as an error when it failed.
  Result<PgResultPtr> check(PGresult* raw, std::string_view what);
  void noteChanges(const PGresult* result);

 private:
  explicit PgDatabase(PgConnPtr conn) : conn_(std::move(conn)) {}

  PgConnPtr conn_;
  std::unordered_map<std::string, std::unique_ptr<PgStatement>> statements_;
  std::int64_t changes_ = 0;
  bool writing_ = false;
  bool pipelining_ = false;
  int deferred_ = 0;  // sent and not yet read
  bool stuck_ = false;
};

// ?N placeholders as PostgreSQL's $N, outside quoted text (the stores
// number every placeholder); `count` is set to the highest number.
std::string postgresPlaceholders(std::string_view sql, int* count);

}  // namespace keydir
