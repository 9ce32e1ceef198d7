#pragma once

// ReconciliationRepository in PostgreSQL (migration 0006).

#include "broker/core/repositories/reconciliation_repository.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {

class PgReconciliationRepository final : public ReconciliationRepository {
 public:
  explicit PgReconciliationRepository(ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<std::vector<Due>> ClaimDue(absl::Duration window, absl::Duration every,
                                            int limit) override;
  absl::Status RecordComparison(int64_t purchase_id, int64_t program_id,
                                const std::vector<Mismatch>& found) override;
  absl::Status Settle(int64_t purchase_id, const PurchaseProgramRecord& program,
                      const std::string& was, const std::string& vendor_says) override;

 private:
  ConnectionPool& pool_;
};

}  // namespace loyalty::broker
