#pragma once

// Point holds: the vendor's own (mirrored here) and the broker's ledger.

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "broker/core/records.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {

class HoldRepository {
 public:
  explicit HoldRepository(ConnectionPool& pool) : pool_(pool) {}

  // Inserts an active hold; fills hold_id.
  absl::Status Insert(HoldRecord& hold);
  // What the ledger holds for one customer at one program: for the quote
  // asking, and for all other quotes.
  struct LedgerHeld {
    int64_t by_this_quote = 0;
    int64_t by_others = 0;
  };
  // Inserts a ledger hold if `check` allows it, both under one lock per
  // customer and program, so two tills cannot hold the same points at once.
  absl::Status InsertLedger(HoldRecord& hold,
                            const std::function<absl::Status(const LedgerHeld&)>& check);
  // The vendor keeps one set of holds per point and client: closes every
  // active vendor hold of this customer at this program (a release, or a new
  // operation at the point, dropped them all).
  absl::Status CloseVendorHoldsOf(int64_t program_id, const std::string& vendor_customer_id,
                                  const std::string& status);
  // NOT_FOUND unless the hold exists for this store. An active hold past its
  // expiry reads as "expired".
  absl::StatusOr<HoldRecord> Load(const std::string& store_id, const std::string& hold_id);
  // Moves an active hold to `status`; false if it was no longer active.
  absl::StatusOr<bool> Close(const std::string& store_id, const std::string& hold_id,
                             const std::string& status, int64_t purchase_id);
  // Points held and not yet expired for this customer in this program;
  // only the holds made for `quote_id` when it is given.
  absl::StatusOr<int64_t> ActiveAmount(int64_t program_id, const std::string& vendor_customer_id,
                                       const std::string& quote_id = "");
  // Marks every active hold past its expiry as expired; returns how many.
  absl::StatusOr<int64_t> ExpireDue();

 private:
  ConnectionPool& pool_;
};

}  // namespace loyalty::broker
