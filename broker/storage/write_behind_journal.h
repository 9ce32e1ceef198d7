#pragma once

// The vendor-call journal, written behind the request: Record only queues
// the entry and one writer thread stores whatever has queued meanwhile with
// one statement, so no till waits on a journal row and many calls share one
// round trip and one (asynchronous) commit. Purchases, holds and stored
// answers never go through here: they are committed before the answer
// leaves. While the database is away entries wait, up to `max_queued`;
// past that they are counted as dropped and logged, never blocking a call.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "broker/core/repositories/operation_journal.h"

namespace loyalty::broker {

struct WriteBehindSettings {
  size_t max_queued = 20000;
  size_t max_batch = 500;
  // After a failed write, the writer waits this long before trying again.
  absl::Duration retry_after = absl::Milliseconds(500);
  // Once an entry is queued, the writer waits this long for more (or a full
  // batch) before writing: one statement and one thread wake-up for many
  // entries, where writing each at once cost both per vendor call.
  absl::Duration linger = absl::Milliseconds(5);
};

class WriteBehindJournal final : public OperationJournal {
 public:
  // Stores one batch, all or nothing.
  using BatchWriter = std::function<absl::Status(const std::vector<VendorOperation>&)>;

  explicit WriteBehindJournal(BatchWriter write, WriteBehindSettings settings = {});
  // Writes what is queued (trying for at most a few seconds), then stops.
  ~WriteBehindJournal() override;

  WriteBehindJournal(const WriteBehindJournal&) = delete;
  WriteBehindJournal& operator=(const WriteBehindJournal&) = delete;

  // Queues the entry; RESOURCE_EXHAUSTED (entry dropped) when full.
  absl::Status Record(const VendorOperation& operation) override;

  // Waits until everything recorded before the call is written, or the
  // timeout passes; false on timeout.
  bool Flush(absl::Duration timeout);

  uint64_t dropped() const;
  size_t queued() const;

 private:
  void WriteLoop();
  // Writes each entry alone, dropping (and logging) those refused; stops at
  // UNAVAILABLE (in `status`). Returns how many entries it is done with.
  size_t WriteOneByOne(const std::vector<VendorOperation>& batch, absl::Status& status);

  const BatchWriter write_;
  const WriteBehindSettings settings_;

  mutable std::mutex mutex_;
  std::condition_variable work_;     // entries queued, or stopping
  std::condition_variable written_;  // a batch was written
  std::deque<VendorOperation> queue_;
  uint64_t recorded_ = 0;  // entries ever queued
  uint64_t done_ = 0;      // entries ever written or given up
  uint64_t dropped_ = 0;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace loyalty::broker
