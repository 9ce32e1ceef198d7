#pragma once

// A booked purchase by its order number: confirm, cancel, restore, reassign
// and read. Each program of the purchase is asked in the store's order; a
// program whose vendor cannot do the operation refuses it precisely
// (FAILED_PRECONDITION) before any is asked.

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "broker/core/checkout_dependencies.h"
#include "broker/core/program_calls.h"
#include "loyalty/broker/v1/broker.pb.h"

namespace loyalty::broker {

// A state change of a booked purchase (purchase_lifecycle.cc).
struct Transition;

class PurchaseLifecycle {
 public:
  PurchaseLifecycle(const CheckoutDependencies& deps, ProgramCalls& calls)
      : deps_(deps), calls_(calls) {}

  absl::Status Confirm(const StoreContext& store, absl::Time deadline,
                       const v1::PurchaseByOrderRequest& request, v1::PurchaseResponse* response);
  absl::Status Cancel(const StoreContext& store, absl::Time deadline,
                      const v1::PurchaseByOrderRequest& request, v1::PurchaseResponse* response);
  absl::Status Restore(const StoreContext& store, absl::Time deadline,
                       const v1::PurchaseByOrderRequest& request, v1::PurchaseResponse* response);
  absl::Status Reassign(const StoreContext& store, absl::Time deadline,
                        const v1::ReassignPurchaseRequest& request, v1::PurchaseResponse* response);
  absl::Status Get(const StoreContext& store, const v1::PurchaseByOrderRequest& request,
                   v1::PurchaseResponse* response);

 private:
  // Applies `transition` to every program of the purchase that books, with
  // the purchase claimed for it.
  absl::Status Apply(const StoreContext& store, absl::Time deadline, const Transition& transition,
                     const std::string& order_number, const v1::CustomerIdentifier* new_customer,
                     v1::PurchaseResponse* response);
  absl::Status ApplyClaimed(const StoreContext& store, absl::Time deadline,
                            const Transition& transition, const std::string& order_number,
                            const v1::CustomerIdentifier* new_customer,
                            v1::PurchaseResponse* response);

  const CheckoutDependencies& deps_;
  ProgramCalls& calls_;
};

}  // namespace loyalty::broker
