#pragma once

// Purchases: the intent written before any vendor call, the outcome written
// after, each atomically, and reads by the store's order number.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/core/records.h"

namespace loyalty::broker {

// The idempotent answer to store together with a purchase's outcome.
struct StoredAnswer {
  std::string idempotency_key;
  absl::Status status;
  std::string response;
};

// The request that claims the purchase's idempotency key with its intent.
struct KeyClaim {
  std::string method;
  std::string request_hash;
};

// A purchase pending for longer than any commit runs: its commit was
// interrupted.
struct StalePurchase {
  int64_t purchase_id = 0;
  std::string store_id, order_number;
};

class PurchaseRepository {
 public:
  virtual ~PurchaseRepository() = default;

  // In one transaction: claims the purchase's idempotency key for `claim`,
  // writes the purchase as "pending" with its lines and programs, and links
  // its holds; fills purchase_id. False, and nothing written, when another
  // request holds the key by now. An order number that failed or was
  // declined before is reused; any other existing one is ALREADY_EXISTS
  // (ABORTED while pending).
  virtual absl::StatusOr<bool> WriteIntent(PurchaseRecord& purchase, const KeyClaim& claim) = 0;
  // Writes the outcome (status, totals, per-program results) and, if given,
  // the idempotent answer and the steps it leaves to the outbox, atomically.
  // A purchase that went through consumes the holds linked to it; programs
  // marked dropped_vendor_holds have the customer's other vendor holds
  // closed as released.
  virtual absl::Status WriteOutcome(const PurchaseRecord& purchase,
                                    const std::optional<StoredAnswer>& answer,
                                    const std::vector<OutboxEntry>& outbox = {}) = 0;
  // Purchases pending for longer than `age`.
  virtual absl::StatusOr<std::vector<StalePurchase>> StalePending(absl::Duration age) = 0;
  // Takes a stale pending purchase for recovery; false if it moved on or
  // another replica took it.
  virtual absl::StatusOr<bool> ClaimStale(int64_t purchase_id, absl::Duration age) = 0;

  // Takes the purchase for one operation (confirm, cancel, restore,
  // reassign, outbox delivery) for at most `lease`; its id, or nullopt while
  // another holds it (or there is no such order). WriteOutcome or
  // ReleaseBusy gives it back.
  virtual absl::StatusOr<std::optional<int64_t>> ClaimBusy(const std::string& store_id,
                                                           const std::string& order_number,
                                                           const std::string& operation,
                                                           absl::Duration lease) = 0;
  virtual absl::Status ReleaseBusy(int64_t purchase_id) = 0;

  // NOT_FOUND unless the order exists for this store.
  virtual absl::StatusOr<PurchaseRecord> LoadByOrder(const std::string& store_id,
                                                     const std::string& order_number) = 0;
};

}  // namespace loyalty::broker
