#pragma once

// Every vendor call: what was asked, the outcome, the vendor's reference and
// the latency. Analysts read it; reconciliation relies on it.

#include "absl/status/status.h"
#include "broker/core/records.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {

class OperationJournal {
 public:
  explicit OperationJournal(ConnectionPool& pool) : pool_(pool) {}

  absl::Status Record(const VendorOperation& operation);

 private:
  ConnectionPool& pool_;
};

}  // namespace loyalty::broker
