// Background upkeep never holds its owner up: a first pass that calls a
// slow vendor (recovery, the outbox, reconciliation at a replica's start)
// runs on the task's own thread, so the replica serves meanwhile.

#include "broker/common/periodic_task.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"

namespace loyalty::broker {
namespace {

TEST(PeriodicTask, StartDoesNotWaitForTheFirstPass) {
  absl::Notification release;
  std::atomic<int> passes{0};
  PeriodicTask task(absl::Hours(1), [&] {
    release.WaitForNotificationWithTimeout(absl::Seconds(10));
    ++passes;
  });
  const absl::Time started = absl::Now();
  task.Start();
  EXPECT_LT(absl::Now() - started, absl::Seconds(1)) << "Start() waited for the first pass";
  EXPECT_EQ(passes.load(), 0);
  release.Notify();
  task.Stop();  // the first pass finishes; no second one within the hour
  EXPECT_EQ(passes.load(), 1);
}

TEST(PeriodicTask, AFirstPassHereIsDoneBeforeStartReturnsAndNotRepeatedAtOnce) {
  std::atomic<int> passes{0};
  std::thread::id ran_on;
  PeriodicTask task(absl::Hours(1), [&] {
    if (passes++ == 0) ran_on = std::this_thread::get_id();
  });
  task.StartAfterFirstPassHere();
  EXPECT_EQ(passes.load(), 1);
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  absl::SleepFor(absl::Milliseconds(50));
  task.Stop();
  EXPECT_EQ(passes.load(), 1) << "the task's thread ran the first pass again";
}

TEST(PeriodicTask, RunsAgainEveryIntervalUntilStopped) {
  std::atomic<int> passes{0};
  PeriodicTask task(absl::Milliseconds(20), [&] { ++passes; });
  task.Start();
  const absl::Time give_up = absl::Now() + absl::Seconds(5);
  while (passes.load() < 3 && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(5));
  task.Stop();
  const int stopped_at = passes.load();
  EXPECT_GE(stopped_at, 3);
  absl::SleepFor(absl::Milliseconds(60));
  EXPECT_EQ(passes.load(), stopped_at) << "ran after Stop()";
}

}  // namespace
}  // namespace loyalty::broker
