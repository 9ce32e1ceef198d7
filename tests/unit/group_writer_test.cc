// Group commit: concurrent writes share one batch; a caller alone writes at
// once; a refused batch is retried item by item so only the bad item fails;
// with a gather window, a writer waits for company only after a batch had it.

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

// Writes one batch of `company + 1` items: the first write is held until
// `company` more callers have queued behind it, then they share the next.
void WriteABatchWithCompany(GroupWriter<int>& writer, std::atomic<bool>& hold_first,
                            std::promise<void>& first_started, std::promise<void>& go_on,
                            int company) {
  int lead = 0;
  hold_first = true;
  std::thread leader([&] { EXPECT_TRUE(writer.Write(lead).ok()); });
  first_started.get_future().wait();
  std::vector<int> items(company);
  std::vector<std::thread> followers;
  for (int& item : items) followers.emplace_back([&] { EXPECT_TRUE(writer.Write(item).ok()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  go_on.set_value();
  leader.join();
  for (auto& t : followers) t.join();
}

TEST(GroupWriter, CallersOneAtATimeWaitForNobodyWhateverTheGatherWindow) {
  std::vector<size_t> sizes;
  GroupWriter<int> writer(
      [&](const std::vector<int*>& items) {
        sizes.push_back(items.size());
        return absl::OkStatus();
      },
      64, absl::Seconds(30));
  const absl::Time start = absl::Now();
  for (int i = 0; i < 5; ++i) {
    int item = i;
    ASSERT_TRUE(writer.Write(item).ok());
  }
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_EQ(sizes, (std::vector<size_t>{1, 1, 1, 1, 1}));
}

TEST(GroupWriter, AfterABatchWithCompanyTheNextWriterWaitsUntilItsBatchIsFull) {
  std::promise<void> first_started;
  std::promise<void> go_on;
  std::atomic<bool> hold_first{false};
  std::mutex mutex;
  std::vector<size_t> sizes;
  std::shared_future<void> go = go_on.get_future().share();
  GroupWriter<int> writer(
      [&](const std::vector<int*>& items) {
        if (hold_first.exchange(false)) {
          first_started.set_value();
          go.wait();
        }
        std::lock_guard lock(mutex);
        sizes.push_back(items.size());
        return absl::OkStatus();
      },
      /*max_batch=*/3, absl::Seconds(30));
  WriteABatchWithCompany(writer, hold_first, first_started, go_on, /*company=*/2);
  {
    std::lock_guard lock(mutex);
    ASSERT_EQ(sizes, (std::vector<size_t>{1, 2}));
  }
  // The next writer waits for company (30 s at most) instead of writing alone.
  std::atomic<bool> first_done{false};
  int first = 1;
  std::thread waiting([&] {
    EXPECT_TRUE(writer.Write(first).ok());
    first_done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(first_done);
  // Two more fill its batch: all three are written at once, well before 30 s.
  const absl::Time start = absl::Now();
  int second = 2, third = 3;
  std::thread two([&] { EXPECT_TRUE(writer.Write(second).ok()); });
  std::thread three([&] { EXPECT_TRUE(writer.Write(third).ok()); });
  waiting.join();
  two.join();
  three.join();
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  std::lock_guard lock(mutex);
  EXPECT_EQ(sizes, (std::vector<size_t>{1, 2, 3}));
}

TEST(GroupWriter, AWriterThatWaitedInVainEndsTheWaiting) {
  std::promise<void> first_started;
  std::promise<void> go_on;
  std::atomic<bool> hold_first{false};
  std::shared_future<void> go = go_on.get_future().share();
  constexpr absl::Duration kGather = absl::Milliseconds(300);
  GroupWriter<int> writer(
      [&](const std::vector<int*>&) {
        if (hold_first.exchange(false)) {
          first_started.set_value();
          go.wait();
        }
        return absl::OkStatus();
      },
      64, kGather);
  WriteABatchWithCompany(writer, hold_first, first_started, go_on, /*company=*/3);
  // Alone after a batch with company: waits the whole window, nobody comes.
  int item = 1;
  absl::Time start = absl::Now();
  ASSERT_TRUE(writer.Write(item).ok());
  EXPECT_GE(absl::Now() - start, kGather);
  // Its batch had no company: the next one alone writes at once.
  start = absl::Now();
  ASSERT_TRUE(writer.Write(item).ok());
  EXPECT_LT(absl::Now() - start, kGather);
}

}  // namespace
}  // namespace loyalty::broker
