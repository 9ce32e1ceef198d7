#pragma once

// The vendor-call journal, written behind the request (write_behind.h): no
// till waits on a journal row, and many calls share one round trip and one
// (asynchronous) commit. While the database is away entries wait, up to
// `max_queued`; past that they are counted as dropped and logged, never
// blocking a call.

#include <cstdint>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "broker/core/repositories/operation_journal.h"
#include "broker/storage/write_behind.h"

namespace loyalty::broker {

class WriteBehindJournal final : public OperationJournal {
 public:
  using BatchWriter = WriteBehind<VendorOperation>::BatchWriter;

  explicit WriteBehindJournal(BatchWriter write, WriteBehindSettings settings = {})
      : rows_("journal", std::move(write), LabelOf, settings) {}

  // Queues the entry; RESOURCE_EXHAUSTED (entry dropped) when full.
  absl::Status Record(const VendorOperation& operation) override { return rows_.Queue(operation); }

  // Waits until everything recorded before the call is written, or the
  // timeout passes; false on timeout.
  bool Flush(absl::Duration timeout) { return rows_.Flush(timeout); }

  uint64_t dropped() const { return rows_.dropped(); }
  size_t queued() const { return rows_.queued(); }

 private:
  static WriteBehind<VendorOperation>::Label LabelOf(const VendorOperation& operation) {
    return {operation.store_id, operation.operation};
  }

  WriteBehind<VendorOperation> rows_;
};

}  // namespace loyalty::broker
