// The connection pool against the test cluster: no wait outlives the
// caller's deadline, also when the server stops answering.

#include "broker/storage/pool.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <pqxx/pqxx>

#include "absl/time/clock.h"
#include "broker/common/call_deadline.h"
#include "broker/common/error_reasons.h"

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
