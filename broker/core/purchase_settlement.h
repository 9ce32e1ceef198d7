#pragma once

// An operator's word on a purchase in doubt: a vendor that cannot be asked
// (LoyalClient) may or may not have booked it, and a person who checked the
// vendor's own records says which. Applied: the booking stands with the
// points asked and the bookings the saga had not reached yet go to the
// outbox. Not applied: what other programs booked before it is undone
// through the outbox and the purchase fails, so the till's retry with the
// same key commits it afresh. Either way the till's retry then gets the
// settled answer instead of IN_DOUBT.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "broker/core/checkout_observer.h"
#include "broker/core/records.h"
#include "broker/core/repositories/idempotency_repository.h"
#include "broker/core/repositories/purchase_repository.h"
#include "broker/core/repositories/store_directory.h"
#include "connectors/registry/connector_registry.h"

namespace loyalty::broker {

struct SettlementDependencies {
  const connectors::ConnectorRegistry& connectors;
  StoreDirectory& stores;
  PurchaseRepository& purchases;
  IdempotencyRepository& idempotency;
  CheckoutObserver& observer;
};

struct Settlement {
  std::string store_id;
  std::string order_number;
  bool applied = false;
  // Why the operator says so (kept on the purchase and in the log).
  std::string reason;
  // Points the vendor's records show earned, where the booking was applied.
  int64_t earned_centipoints = 0;
};

class PurchaseSettler {
 public:
  explicit PurchaseSettler(SettlementDependencies deps) : deps_(deps) {}

  // FAILED_PRECONDITION (PURCHASE_STATE) unless the purchase is in doubt;
  // ABORTED (PURCHASE_BUSY) while another operation holds it.
  absl::StatusOr<PurchaseRecord> Settle(const Settlement& settlement);

 private:
  SettlementDependencies deps_;
};

}  // namespace loyalty::broker
