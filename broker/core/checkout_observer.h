#pragma once

// What the checkout reports as it works, for metrics. The core knows nothing
// of Prometheus; the app wires an implementation in. Calls come from worker
// threads and must be cheap and thread-safe.

#include "broker/core/records.h"

namespace loyalty::broker {

class CheckoutObserver {
 public:
  virtual ~CheckoutObserver() = default;

  // Every finished vendor call, as journalled.
  virtual void OnVendorCall(const VendorOperation& operation) = 0;
  // A commit's outcome, once written to PostgreSQL.
  virtual void OnCommitted(const PurchaseRecord& purchase, const StoreContext& store) = 0;
  // A booking the outbox delivered later, once written to PostgreSQL.
  virtual void OnDelivered(const PurchaseProgramRecord& booking, const StoreProgram& program) = 0;
};

}  // namespace loyalty::broker
