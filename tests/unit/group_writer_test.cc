// Group commit: concurrent writes share one batch; a caller alone writes at
// once; a refused batch is retried item by item so only the bad item fails.

#include "broker/storage/group_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

namespace loyalty::broker {
namespace {

TEST(GroupWriter, ACallerAloneWritesItsItemItself) {
  std::vector<size_t> sizes;
  GroupWriter<int> writer(
      [&](const std::vector<int*>& items) {
        sizes.push_back(items.size());
        return absl::OkStatus();
      },
      64);
  for (int i = 0; i < 3; ++i) {
    int item = i;
    ASSERT_TRUE(writer.Write(item).ok());
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{1, 1, 1}));
}

TEST(GroupWriter, CallersArrivingDuringAWriteShareTheNextOne) {
  std::promise<void> first_started;
  std::promise<void> go_on;
  std::shared_future<void> go = go_on.get_future().share();
  std::atomic<bool> first{true};
  std::mutex mutex;
  std::vector<size_t> sizes;
  std::atomic<int> written{0};
  GroupWriter<int> writer(
      [&](const std::vector<int*>& items) {
        if (first.exchange(false)) {
          first_started.set_value();
          go.wait();
        }
        std::lock_guard lock(mutex);
        sizes.push_back(items.size());
        written += static_cast<int>(items.size());
        return absl::OkStatus();
      },
      64);
  int lead = 0;
  std::thread leader([&] { EXPECT_TRUE(writer.Write(lead).ok()); });
  first_started.get_future().wait();
  std::vector<int> items(10);
  std::vector<std::thread> followers;
  for (int& item : items) followers.emplace_back([&] { EXPECT_TRUE(writer.Write(item).ok()); });
  // Let every follower queue before the first write ends.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  go_on.set_value();
  leader.join();
  for (auto& t : followers) t.join();
  EXPECT_EQ(written, 11);
  ASSERT_EQ(sizes.size(), 2u);
  EXPECT_EQ(sizes[1], 10u);
}

TEST(GroupWriter, ARefusedBatchFailsOnlyItsBadItem) {
  std::promise<void> first_started;
  std::promise<void> go_on;
  std::shared_future<void> go = go_on.get_future().share();
  std::atomic<bool> first{true};
  GroupWriter<int> writer(
      [&](const std::vector<int*>& items) {
        if (first.exchange(false)) {
          first_started.set_value();
          go.wait();
        }
        for (int* item : items) {
          if (*item == 13) return absl::InvalidArgumentError("violates a check");
        }
        return absl::OkStatus();
      },
      64);
  int lead = 0;
  std::thread leader([&] { EXPECT_TRUE(writer.Write(lead).ok()); });
  first_started.get_future().wait();
  std::vector<int> items = {11, 12, 13, 14};
  std::vector<absl::Status> statuses(items.size());
  std::vector<std::thread> followers;
  for (size_t i = 0; i < items.size(); ++i) {
    followers.emplace_back([&, i] { statuses[i] = writer.Write(items[i]); });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  go_on.set_value();
  leader.join();
  for (auto& t : followers) t.join();
  EXPECT_TRUE(statuses[0].ok());
  EXPECT_TRUE(statuses[1].ok());
  EXPECT_TRUE(absl::IsInvalidArgument(statuses[2])) << statuses[2];
  EXPECT_TRUE(statuses[3].ok());
}

TEST(GroupWriter, TheBatchIsWrittenUnderItsLatestDeadline) {
  absl::Time seen;
  GroupWriter<int> writer(
      [&](const std::vector<int*>&) {
        seen = CurrentCallDeadline();
        return absl::OkStatus();
      },
      64);
  const absl::Time deadline = absl::Now() + absl::Seconds(7);
  const CallDeadlineScope scope(deadline);
  int item = 1;
  ASSERT_TRUE(writer.Write(item).ok());
  EXPECT_EQ(seen, deadline);
}

}  // namespace
}  // namespace loyalty::broker
