#pragma once

// HoldRepository in PostgreSQL; the ledger lock is a row lock per customer and program.

#include "broker/core/repositories/hold_repository.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {

class PgHoldRepository final : public HoldRepository {
 public:
  explicit PgHoldRepository(ConnectionPool& pool) : pool_(pool) {}

  absl::Status Insert(HoldRecord& hold) override;
  absl::Status InsertLedger(HoldRecord& hold,
                            const std::function<absl::Status(const LedgerHeld&)>& check) override;
  absl::Status CloseVendorHoldsOf(int64_t program_id, const std::string& vendor_customer_id,
                                  HoldState state) override;
  absl::StatusOr<HoldRecord> Load(const std::string& store_id, const std::string& hold_id) override;
  absl::StatusOr<bool> Close(const std::string& store_id, const std::string& hold_id,
                             HoldState state, int64_t purchase_id) override;
  absl::StatusOr<int64_t> ActiveAmount(int64_t program_id, const std::string& vendor_customer_id,
                                       const std::string& quote_id = "") override;
  absl::StatusOr<int64_t> ExpireDue() override;

 private:
  ConnectionPool& pool_;
};

}  // namespace loyalty::broker
