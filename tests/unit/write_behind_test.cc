// Waiting for a row written behind (write_behind.h): a reader of a row
// still queued or being written waits until the database has it, and only
// then, and the writer stops lingering for more rows; a row given up on
// releases its readers too.

#include "broker/storage/write_behind.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <string>
#include <vector>

namespace loyalty::broker {
namespace {

struct Row {
  std::string id;
};

WriteBehind<Row>::Label LabelOf(const Row& row) { return {"s1", row.id}; }

constexpr WriteBehindSettings kAtOnce{.max_queued = 100,
                                      .max_batch = 10,
                                      .retry_after = absl::Milliseconds(1),
                                      .linger = absl::ZeroDuration()};

TEST(WriteBehind, AReaderWaitsUntilItsRowIsWrittenAndNoLonger) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> written{false};
  WriteBehind<Row> rows(
      "test",
      [&](const std::vector<Row>&) {
        released.wait();  // the database is slow
        written = true;
        return absl::OkStatus();
      },
      LabelOf, kAtOnce);
  ASSERT_TRUE(rows.Queue(Row{"q1"}, "q1").ok());

  // Another row's reader, or one of a row never queued, does not wait.
  const absl::Time start = absl::Now();
  rows.AwaitWritten("q2", absl::Now() + absl::Seconds(5));
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));

  auto reader = std::async(std::launch::async, [&] {
    rows.AwaitWritten("q1", absl::Now() + absl::Seconds(30));
    return written.load();
  });
  EXPECT_EQ(reader.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout)
      << "the reader did not wait for the row";
  release.set_value();
  EXPECT_TRUE(reader.get()) << "the reader went on before the row was written";
}

TEST(WriteBehind, AWaitingReaderCutsTheWritersLingerShort) {
  std::atomic<int> batches{0};
  WriteBehindSettings lingering = kAtOnce;
  lingering.linger = absl::Seconds(20);
  WriteBehind<Row> rows(
      "test",
      [&](const std::vector<Row>&) {
        ++batches;
        return absl::OkStatus();
      },
      LabelOf, lingering);
  ASSERT_TRUE(rows.Queue(Row{"q1"}, "q1").ok());
  ASSERT_TRUE(rows.Queue(Row{"q2"}, "q2").ok());
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(batches, 0) << "the writer did not linger";
  const absl::Time start = absl::Now();
  rows.AwaitWritten("q2", absl::Now() + absl::Seconds(10));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_EQ(batches, 1);  // both rows, in one batch
  EXPECT_EQ(rows.queued(), 0u);
}

TEST(WriteBehind, AReaderGivesUpAtItsDeadlineWhileTheDatabaseIsAway) {
  std::atomic<bool> away{true};
  WriteBehind<Row> rows(
      "test",
      [&](const std::vector<Row>&) {
        return away ? absl::UnavailableError("database away") : absl::OkStatus();
      },
      LabelOf, kAtOnce);
  ASSERT_TRUE(rows.Queue(Row{"q1"}, "q1").ok());
  const absl::Time start = absl::Now();
  rows.AwaitWritten("q1", absl::Now() + absl::Milliseconds(200));
  const absl::Duration waited = absl::Now() - start;
  EXPECT_GE(waited, absl::Milliseconds(150));
  EXPECT_LT(waited, absl::Seconds(5));
  EXPECT_EQ(rows.queued(), 1u);  // still waiting for the database, not lost
  away = false;
  EXPECT_TRUE(rows.Flush(absl::Seconds(5)));
  EXPECT_EQ(rows.queued(), 0u);
}

TEST(WriteBehind, ARefusedRowReleasesItsReader) {
  WriteBehind<Row> rows(
      "test",
      [&](const std::vector<Row>& batch) {
        for (const Row& row : batch) {
          if (row.id == "bad") return absl::InvalidArgumentError("violates a check");
        }
        return absl::OkStatus();
      },
      LabelOf, kAtOnce);
  ASSERT_TRUE(rows.Queue(Row{"bad"}, "bad").ok());
  ASSERT_TRUE(rows.Queue(Row{"good"}, "good").ok());
  const absl::Time start = absl::Now();
  rows.AwaitWritten("bad", absl::Now() + absl::Seconds(30));
  rows.AwaitWritten("good", absl::Now() + absl::Seconds(30));
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_EQ(rows.dropped(), 1u);
  EXPECT_EQ(rows.queued(), 0u);
}

}  // namespace
}  // namespace loyalty::broker
