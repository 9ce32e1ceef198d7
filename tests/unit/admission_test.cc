// Admission before any work: the worker queue's bound, the per-peer limit on
// failed authentications, and the pool's connect timeout.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>

#include "broker/api/auth_failure_limiter.h"
#include "broker/common/call_deadline.h"
#include "broker/common/thread_pool.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {
namespace {

TEST(ThreadPool, RefusesWorkOnceItsQueueIsFull) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> ran{0};
  {
    ThreadPool pool(1, 2);
    std::promise<void> started;
    ASSERT_TRUE(pool.TrySubmit([&] {
      started.set_value();
      released.wait();
      ++ran;
    }));
    started.get_future().wait();  // the one thread is busy
    EXPECT_TRUE(pool.TrySubmit([&] { ++ran; }));
    EXPECT_TRUE(pool.TrySubmit([&] { ++ran; }));
    EXPECT_EQ(pool.queued(), 2);
    EXPECT_FALSE(pool.TrySubmit([&] { ++ran; }));
    release.set_value();
  }
  EXPECT_EQ(ran.load(), 3);
}

TEST(AuthFailureLimiter, LimitsAPeerPastItsFailuresUntilTheMinuteTurns) {
  AuthFailureLimiter limiter(3);
  const absl::Time start = absl::FromUnixSeconds(1'800'000'000);
  absl::Duration retry_after;
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.Limited("ipv4:10.0.0.1", start, &retry_after));
    limiter.RecordFailure("ipv4:10.0.0.1", start);
  }
  EXPECT_TRUE(limiter.Limited("ipv4:10.0.0.1", start + absl::Seconds(20), &retry_after));
  EXPECT_EQ(retry_after, absl::Seconds(40));
  EXPECT_FALSE(limiter.Limited("ipv4:10.0.0.2", start, &retry_after));
  EXPECT_FALSE(limiter.Limited("ipv4:10.0.0.1", start + absl::Seconds(60), &retry_after));
}

TEST(CallDeadline, ScopesNestAndRestore) {
  EXPECT_EQ(CurrentCallDeadline(), absl::InfiniteFuture());
  const absl::Time outer = absl::FromUnixSeconds(100);
  {
    CallDeadlineScope a(outer);
    {
      CallDeadlineScope b(absl::FromUnixSeconds(50));
      EXPECT_EQ(CurrentCallDeadline(), absl::FromUnixSeconds(50));
    }
    EXPECT_EQ(CurrentCallDeadline(), outer);
  }
  EXPECT_EQ(CurrentCallDeadline(), absl::InfiniteFuture());
}

TEST(ConnectionPool, AddsAConnectTimeoutInEitherConnectionStringForm) {
  EXPECT_EQ(WithConnectTimeout("", 3), "connect_timeout=3");
  EXPECT_EQ(WithConnectTimeout("host=db port=5432", 1), "host=db port=5432 connect_timeout=2");
  EXPECT_EQ(WithConnectTimeout("postgresql://db/loyalty", 4),
            "postgresql://db/loyalty?connect_timeout=4");
  EXPECT_EQ(WithConnectTimeout("postgres://db/x?sslmode=require", 2),
            "postgres://db/x?sslmode=require&connect_timeout=2");
  EXPECT_EQ(WithConnectTimeout("host=db connect_timeout=9", 2), "host=db connect_timeout=9");
}

TEST(ConnectionPool, AnUnreachableServerFailsTheCallAtOnceNotAtTheDeadline) {
  ConnectionPool pool("host=127.0.0.1 port=1", 1);  // nothing listens there
  CallDeadlineScope deadline(absl::Now() + absl::Seconds(30));
  const absl::Time started = absl::Now();
  const absl::Status status = pool.Run([](pqxx::connection&) { return absl::OkStatus(); });
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_LT(absl::Now() - started, absl::Seconds(5));
}

}  // namespace
}  // namespace loyalty::broker
