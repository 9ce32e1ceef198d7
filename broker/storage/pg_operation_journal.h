#pragma once

// The vendor-call journal's rows in PostgreSQL (table vendor_operations).
// The broker writes them behind the request (write_behind_journal.h).

#include <vector>

#include "absl/status/status.h"
#include "broker/core/records.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {

class PgOperationJournal final {
 public:
  explicit PgOperationJournal(ConnectionPool& pool) : pool_(pool) {}

  // Inserts the batch with one statement and an asynchronous commit.
  absl::Status RecordAll(const std::vector<VendorOperation>& operations);

 private:
  ConnectionPool& pool_;
};

}  // namespace loyalty::broker
