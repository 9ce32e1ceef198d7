#include "broker/storage/migrations.h"

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "broker/common/logging.h"

namespace loyalty::broker {
namespace {
// Arbitrary constant shared by every replica: "loyalty migrations".
constexpr int64_t kMigrationLockId = 0x4c4f59414c5459;
}  // namespace

absl::StatusOr<int> ApplyMigrations(pqxx::connection& connection,
                                    const std::vector<Migration>& migrations) {
  // The advisory lock belongs to the session, so it outlives each transaction.
  auto session = [&connection](const char* sql) {
    pqxx::nontransaction statement(connection);
    statement.exec_params(sql, kMigrationLockId);
  };
  try {
    session("SELECT pg_advisory_lock($1)");
    int applied = 0;
    absl::Status failure;
    try {
      {  // created under the lock: concurrent CREATE TABLE IF NOT EXISTS can collide
        pqxx::nontransaction setup(connection);
        setup.exec0(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())");
      }
      int current = 0;
      {
        pqxx::read_transaction read(connection);
        current =
            read.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<int>();
      }
      const int newest = migrations.empty() ? 0 : migrations.back().version;
      if (current > newest) {
        failure = absl::FailedPreconditionError(absl::StrCat("database schema version ", current,
                                                             " is newer than this broker knows (",
                                                             newest, ")"));
      }
      for (const Migration& m : migrations) {
        if (!failure.ok() || m.version <= current) continue;
        pqxx::work tx(connection);
        tx.exec0(m.sql);
        tx.exec_params0("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version,
                        std::string(m.name));
        tx.commit();
        ++applied;
        Log(LogLevel::kInfo, "migration_applied",
            {{"version", std::to_string(m.version)}, {"name", m.name}});
      }
    } catch (...) {
      session("SELECT pg_advisory_unlock($1)");
      throw;
    }
    session("SELECT pg_advisory_unlock($1)");
    if (!failure.ok()) return failure;
    return applied;
  } catch (const pqxx::broken_connection& e) {
    return absl::UnavailableError(absl::StrCat("database unreachable: ", e.what()));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("migration failed: ", e.what()));
  }
}

}  // namespace loyalty::broker
