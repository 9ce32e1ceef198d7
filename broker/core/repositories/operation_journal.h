#pragma once

// Every vendor call: what was asked, the outcome, the vendor's reference and
// the latency. Analysts read it; reconciliation relies on it.

#include "absl/status/status.h"
#include "broker/core/records.h"

namespace loyalty::broker {

class OperationJournal {
 public:
  virtual ~OperationJournal() = default;

  virtual absl::Status Record(const VendorOperation& operation) = 0;
};

}  // namespace loyalty::broker
