#pragma once

// OperationJournal in PostgreSQL (table vendor_operations).

#include "broker/core/repositories/operation_journal.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {

class PgOperationJournal final : public OperationJournal {
 public:
  explicit PgOperationJournal(ConnectionPool& pool) : pool_(pool) {}

  absl::Status Record(const VendorOperation& operation) override;

 private:
  ConnectionPool& pool_;
};

}  // namespace loyalty::broker
