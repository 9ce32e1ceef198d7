#pragma once

// Point holds: the vendor's own (mirrored by the broker) and the broker's
// ledger for vendors without holds.

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "broker/core/records.h"

namespace loyalty::broker {

// What the ledger holds for one customer at one program: for the quote
// asking, and for all other quotes.
struct LedgerHeld {
  int64_t by_this_quote = 0;
  int64_t by_others = 0;
};

class HoldRepository {
 public:
  virtual ~HoldRepository() = default;

  // Inserts an active hold; fills hold_id.
  virtual absl::Status Insert(HoldRecord& hold) = 0;
  // Inserts a ledger hold if `check` allows it, both under one lock per
  // customer and program, so two tills cannot hold the same points at once.
  virtual absl::Status InsertLedger(
      HoldRecord& hold, const std::function<absl::Status(const LedgerHeld&)>& check) = 0;
  // The vendor keeps one set of holds per point and client: closes every
  // active vendor hold of this customer at this program (a release, or a new
  // operation at the point, dropped them all).
  virtual absl::Status CloseVendorHoldsOf(int64_t program_id, const std::string& vendor_customer_id,
                                          HoldState state) = 0;
  // NOT_FOUND unless the hold exists for this store. An active hold past its
  // expiry reads as expired.
  virtual absl::StatusOr<HoldRecord> Load(const std::string& store_id,
                                          const std::string& hold_id) = 0;
  // Moves an active hold to `state`; false if it was no longer active.
  virtual absl::StatusOr<bool> Close(const std::string& store_id, const std::string& hold_id,
                                     HoldState state, int64_t purchase_id) = 0;
  // Points held and not yet expired for this customer in this program;
  // only the holds made for `quote_id` when it is given.
  virtual absl::StatusOr<int64_t> ActiveAmount(int64_t program_id,
                                               const std::string& vendor_customer_id,
                                               const std::string& quote_id = "") = 0;
  // Marks every active hold past its expiry as expired; returns how many.
  virtual absl::StatusOr<int64_t> ExpireDue() = 0;
};

}  // namespace loyalty::broker
