// Group commit: concurrent writes share one batch; a caller alone writes at
// once; a refused batch is retried item by item so only the bad item fails;
// with a gather window, a writer waits for company only after a batch had it.

#include "broker/storage/group_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

namespace loyalty::broker {
namespace {

// Holds the first write a writer makes (from its write function) until
// Release(), so that callers arriving meanwhile queue behind it.
class FirstWriteHeld {
 public:
  void Hold() {
    if (first_.exchange(false)) {
      started_.set_value();
      go_.wait();
    }
  }
  void AwaitStarted() { started_.get_future().wait(); }
  void Release() { release_.set_value(); }

 private:
  std::atomic<bool> first_{true};
  std::promise<void> started_;
  std::promise<void> release_;
  std::shared_future<void> go_ = release_.get_future().share();
};

// One write held while `items` arrive behind it, each from its own thread;
// returns their statuses once all are written.
std::vector<absl::Status> WriteBehindAHeldOne(GroupWriter<int>& writer, FirstWriteHeld& held,
                                              std::vector<int>& items) {
  int lead = 0;
  std::thread leader([&] { EXPECT_TRUE(writer.Write(lead).ok()); });
  held.AwaitStarted();
  std::vector<absl::Status> statuses(items.size());
  std::vector<std::thread> followers;
  for (size_t i = 0; i < items.size(); ++i) {
    followers.emplace_back([&, i] { statuses[i] = writer.Write(items[i]); });
  }
  // Let every follower queue before the first write ends.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  held.Release();
  leader.join();
  for (auto& t : followers) t.join();
  return statuses;
}

// Records the size of every batch written.
class BatchSizes {
 public:
  void Add(size_t size) {
    std::lock_guard lock(mutex_);
    sizes_.push_back(size);
  }
  std::vector<size_t> sizes() const {
    std::lock_guard lock(mutex_);
    return sizes_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<size_t> sizes_;
};

// A write function whose first write is held, and whose batches are counted.
GroupWriter<int>::WriteAll HeldThenCounted(FirstWriteHeld& held, BatchSizes& batches) {
  return [&held, &batches](const std::vector<int*>& items) {
    held.Hold();
    batches.Add(items.size());
    return absl::OkStatus();
  };
}

TEST(GroupWriter, ACallerAloneWritesItsItemItself) {
  BatchSizes batches;
  GroupWriter<int> writer(
      [&](const std::vector<int*>& items) {
        batches.Add(items.size());
        return absl::OkStatus();
      },
      64);
  for (int i = 0; i < 3; ++i) {
    int item = i;
    ASSERT_TRUE(writer.Write(item).ok());
  }
  EXPECT_EQ(batches.sizes(), (std::vector<size_t>{1, 1, 1}));
}

TEST(GroupWriter, CallersArrivingDuringAWriteShareTheNextOne) {
  FirstWriteHeld held;
  BatchSizes batches;
  GroupWriter<int> writer(HeldThenCounted(held, batches), 64);
  std::vector<int> items(10);
  for (const absl::Status& status : WriteBehindAHeldOne(writer, held, items)) {
    EXPECT_TRUE(status.ok()) << status;
  }
  EXPECT_EQ(batches.sizes(), (std::vector<size_t>{1, 10}));
}

TEST(GroupWriter, ARefusedBatchFailsOnlyItsBadItem) {
  FirstWriteHeld held;
  GroupWriter<int> writer(
      [&](const std::vector<int*>& items) {
        held.Hold();
        for (int* item : items) {
          if (*item == 13) return absl::InvalidArgumentError("violates a check");
        }
        return absl::OkStatus();
      },
      64);
  std::vector<int> items = {11, 12, 13, 14};
  const std::vector<absl::Status> statuses = WriteBehindAHeldOne(writer, held, items);
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

TEST(GroupWriter, CallersOneAtATimeWaitForNobodyWhateverTheGatherWindow) {
  BatchSizes batches;
  GroupWriter<int> writer(
      [&](const std::vector<int*>& items) {
        batches.Add(items.size());
        return absl::OkStatus();
      },
      64, absl::Seconds(30));
  const absl::Time start = absl::Now();
  for (int i = 0; i < 5; ++i) {
    int item = i;
    ASSERT_TRUE(writer.Write(item).ok());
  }
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_EQ(batches.sizes(), (std::vector<size_t>{1, 1, 1, 1, 1}));
}

TEST(GroupWriter, AfterABatchWithCompanyTheNextWriterWaitsUntilItsBatchIsFull) {
  FirstWriteHeld held;
  BatchSizes batches;
  GroupWriter<int> writer(HeldThenCounted(held, batches),
                          /*max_batch=*/3, absl::Seconds(30));
  std::vector<int> company(2);
  WriteBehindAHeldOne(writer, held, company);
  ASSERT_EQ(batches.sizes(), (std::vector<size_t>{1, 2}));
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
  EXPECT_EQ(batches.sizes(), (std::vector<size_t>{1, 2, 3}));
}

TEST(GroupWriter, AWriterThatWaitedInVainEndsTheWaiting) {
  FirstWriteHeld held;
  constexpr absl::Duration kGather = absl::Milliseconds(300);
  GroupWriter<int> writer(
      [&](const std::vector<int*>&) {
        held.Hold();
        return absl::OkStatus();
      },
      64, kGather);
  std::vector<int> company(3);
  WriteBehindAHeldOne(writer, held, company);
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

TEST(GroupWriter, AWriterWaitsForCompanyNeverPastItsDeadline) {
  FirstWriteHeld held;
  BatchSizes batches;
  GroupWriter<int> writer(HeldThenCounted(held, batches), 64, absl::Seconds(30));
  std::vector<int> company(2);
  WriteBehindAHeldOne(writer, held, company);
  ASSERT_EQ(batches.sizes(), (std::vector<size_t>{1, 2}));
  const absl::Time start = absl::Now();
  const CallDeadlineScope scope(start + absl::Milliseconds(50));
  int item = 1;
  ASSERT_TRUE(writer.Write(item).ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_EQ(batches.sizes(), (std::vector<size_t>{1, 2, 1}));
}

}  // namespace
}  // namespace loyalty::broker
