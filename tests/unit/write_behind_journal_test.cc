// The journal written behind the request: batches, waits out an absent
// database, drops only what one entry's refusal or a full queue forces.

#include "broker/storage/write_behind_journal.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>

namespace loyalty::broker {
namespace {

VendorOperation Entry(int n) {
  VendorOperation op;
  op.store_id = "s1";
  op.operation = "quote";
  op.latency_us = n;
  return op;
}

// Stores batches as a database would, or fails them as told.
struct FakeSink {
  std::mutex mutex;
  std::vector<std::vector<int64_t>> batches;  // latency_us of each entry
  std::atomic<int> unavailable_for{0};        // calls to answer UNAVAILABLE
  int64_t refuse = -1;                        // an entry refused in any batch

  absl::Status Write(const std::vector<VendorOperation>& batch) {
    if (unavailable_for > 0) {
      --unavailable_for;
      return absl::UnavailableError("database away");
    }
    std::vector<int64_t> ids;
    for (const auto& op : batch) {
      if (op.latency_us == refuse) return absl::InternalError("violates a key");
      ids.push_back(op.latency_us);
    }
    std::lock_guard lock(mutex);
    batches.push_back(ids);
    return absl::OkStatus();
  }

  std::vector<int64_t> Written() {
    std::lock_guard lock(mutex);
    std::vector<int64_t> all;
    for (const auto& b : batches) all.insert(all.end(), b.begin(), b.end());
    return all;
  }
};

WriteBehindJournal::BatchWriter To(FakeSink& sink) {
  return [&sink](const std::vector<VendorOperation>& batch) { return sink.Write(batch); };
}

TEST(WriteBehindJournal, WritesEveryEntryOnceInOrderAndFlushWaitsForThem) {
  FakeSink sink;
  WriteBehindJournal journal(To(sink));
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(journal.Record(Entry(i)).ok());
  ASSERT_TRUE(journal.Flush(absl::Seconds(5)));
  const auto written = sink.Written();
  ASSERT_EQ(written.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(written[i], i);
  EXPECT_EQ(journal.dropped(), 0u);
}

TEST(WriteBehindJournal, EntriesQueuedWhileTheWriterWritesShareTheNextBatch) {
  FakeSink sink;
  std::promise<void> first_started;
  std::promise<void> go_on;
  std::shared_future<void> go = go_on.get_future().share();
  std::atomic<bool> first{true};
  WriteBehindJournal journal([&](const std::vector<VendorOperation>& batch) {
    if (first.exchange(false)) {
      first_started.set_value();
      go.wait();  // the database is slow with the first batch
    }
    return sink.Write(batch);
  });
  ASSERT_TRUE(journal.Record(Entry(0)).ok());
  first_started.get_future().wait();
  for (int i = 1; i <= 50; ++i) ASSERT_TRUE(journal.Record(Entry(i)).ok());
  go_on.set_value();
  ASSERT_TRUE(journal.Flush(absl::Seconds(5)));
  ASSERT_EQ(sink.batches.size(), 2u);
  EXPECT_EQ(sink.batches[1].size(), 50u);  // one round trip for fifty calls
}

TEST(WriteBehindJournal, AnAbsentDatabaseDelaysEntriesWithoutLosingOrDoublingThem) {
  FakeSink sink;
  sink.unavailable_for = 3;
  WriteBehindJournal journal(To(sink), {.retry_after = absl::Milliseconds(5)});
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(journal.Record(Entry(i)).ok());
  ASSERT_TRUE(journal.Flush(absl::Seconds(5)));
  EXPECT_EQ(sink.Written().size(), 10u);
  EXPECT_EQ(sink.unavailable_for, 0);
}

TEST(WriteBehindJournal, OneRefusedEntryIsDroppedAndTheRestOfItsBatchWritten) {
  FakeSink sink;
  sink.refuse = 3;
  std::promise<void> go_on;
  std::shared_future<void> go = go_on.get_future().share();
  WriteBehindJournal journal([&](const std::vector<VendorOperation>& batch) {
    go.wait();
    return sink.Write(batch);
  });
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(journal.Record(Entry(i)).ok());
  go_on.set_value();
  ASSERT_TRUE(journal.Flush(absl::Seconds(5)));
  EXPECT_EQ(sink.Written(), (std::vector<int64_t>{0, 1, 2, 4, 5}));
  EXPECT_EQ(journal.dropped(), 1u);
}

TEST(WriteBehindJournal, AFullQueueRefusesTheEntryAtOnceInsteadOfBlocking) {
  FakeSink sink;
  sink.unavailable_for = 1 << 30;  // the database stays away
  WriteBehindJournal journal(To(sink), {.max_queued = 4, .retry_after = absl::Milliseconds(1)});
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(journal.Record(Entry(i)).ok());
  const absl::Status full = journal.Record(Entry(4));
  EXPECT_TRUE(absl::IsResourceExhausted(full)) << full;
  EXPECT_EQ(journal.dropped(), 1u);
  EXPECT_FALSE(journal.Flush(absl::Milliseconds(50)));
  sink.unavailable_for = 0;  // back: the four queued are written
  ASSERT_TRUE(journal.Flush(absl::Seconds(5)));
  EXPECT_EQ(sink.Written(), (std::vector<int64_t>{0, 1, 2, 3}));
}

}  // namespace
}  // namespace loyalty::broker
