// The connection pool against the test cluster: no wait outlives the
// caller's deadline, also when the server stops answering.

#include "broker/storage/pool.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <pqxx/pqxx>

#include "absl/time/clock.h"
#include "broker/common/call_deadline.h"
#include "broker/common/error_reasons.h"
#include "broker/storage/migrations.h"
#include "broker/storage/queries.h"

namespace loyalty::broker {
namespace {

int BackendPid(ConnectionPool& pool) {
  int pid = 0;
  EXPECT_TRUE(pool.Run([&](pqxx::connection& c) {
                    pqxx::nontransaction tx(c);
                    pid = tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
                    return absl::OkStatus();
                  })
                  .ok());
  return pid;
}

// The broker's statements are keyed lookups whose best plan does not depend
// on the values: planned once per connection, not on every call (a custom
// plan of the intent cost more to plan than to run).
TEST(ConnectionPool, PreparedStatementsRunOnGenericPlansFromTheFirstCall) {
  {
    pqxx::connection connection("");
    ASSERT_TRUE(ApplyMigrations(connection, EmbeddedMigrations()).ok());
  }
  ConnectionPool pool("", 1);
  ASSERT_TRUE(pool.Connect().ok());
  ASSERT_TRUE(pool.Run([](pqxx::connection& c) {
                    pqxx::nontransaction tx(c);
                    tx.exec_prepared(q::kPurchaseStatusByOrder, "no-such-store", "no-such-order");
                    const pqxx::row plans = tx.exec_params1(
                        "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                        "WHERE name = $1",
                        std::string(q::kPurchaseStatusByOrder));
                    EXPECT_EQ(plans[0].as<int64_t>(), 1);
                    EXPECT_EQ(plans[1].as<int64_t>(), 0);
                    return absl::OkStatus();
                  })
                  .ok());
}

TEST(ConnectionPool, WorkPastTheCallersDeadlineIsCutAndAnswersUnavailable) {
  ConnectionPool pool("", 1);
  ASSERT_TRUE(pool.Connect().ok());
  const absl::Time started = absl::Now();
  absl::Status status;
  {
    CallDeadlineScope deadline(started + absl::Milliseconds(300));
    status = pool.Run([](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      tx.exec("SELECT pg_sleep(10)");
      return absl::OkStatus();
    });
  }
  const absl::Duration took = absl::Now() - started;
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_EQ(ReasonOf(status), "DATABASE_UNAVAILABLE");
  EXPECT_LT(took, absl::Milliseconds(300 + 100));
  // The cut connection was replaced: the next call works.
  EXPECT_GT(BackendPid(pool), 0);
}

TEST(ConnectionPool, AServerThatStopsAnsweringCostsTheCallerNoMoreThanItsDeadline) {
  ConnectionPool pool("", 1);
  ASSERT_TRUE(pool.Connect().ok());
  const int pid = BackendPid(pool);
  ASSERT_GT(pid, 0);
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);  // this session's server process hangs
  const absl::Time started = absl::Now();
  absl::Status status;
  {
    CallDeadlineScope deadline(started + absl::Milliseconds(500));
    status = pool.Run([](pqxx::connection& c) {
      pqxx::work tx(c);
      tx.exec("SELECT 1");
      tx.commit();
      return absl::OkStatus();
    });
  }
  const absl::Duration took = absl::Now() - started;
  ::kill(pid, SIGCONT);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_LT(took, absl::Milliseconds(500 + 100));
  EXPECT_GT(BackendPid(pool), 0);
}

TEST(ConnectionPool, AWaitForAFreeConnectionEndsAtTheDeadline) {
  ConnectionPool pool("", 1);
  ASSERT_TRUE(pool.Connect().ok());
  std::thread holder([&] {
    EXPECT_TRUE(pool.Run([](pqxx::connection& c) {
                      pqxx::nontransaction tx(c);
                      tx.exec("SELECT pg_sleep(1)");
                      return absl::OkStatus();
                    })
                    .ok());
  });
  absl::SleepFor(absl::Milliseconds(100));  // the holder has the only connection
  const absl::Time started = absl::Now();
  absl::Status status;
  {
    CallDeadlineScope deadline(started + absl::Milliseconds(200));
    status = pool.Run([](pqxx::connection&) { return absl::OkStatus(); });
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_LT(absl::Now() - started, absl::Milliseconds(300));
  holder.join();
}

}  // namespace
}  // namespace loyalty::broker
