#pragma once

// The tills' use cases behind one entry point for the API layer: routes
// each request to the class that does it. Knows nothing of gRPC threads or
// metadata: the API layer authenticates, validates and hands requests here
// with a deadline.

#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "broker/core/checkout_dependencies.h"
#include "broker/core/identification.h"
#include "broker/core/point_holds.h"
#include "broker/core/program_calls.h"
#include "broker/core/purchase_commit.h"
#include "broker/core/purchase_lifecycle.h"
#include "broker/core/quoting.h"
#include "loyalty/broker/v1/broker.pb.h"

namespace loyalty::broker {

class CheckoutService {
 public:
  explicit CheckoutService(CheckoutDependencies deps)
      : deps_(std::move(deps)),
        calls_(deps_.connectors, deps_.journal, deps_.observer),
        identification_(deps_, calls_),
        quoting_(deps_, calls_),
        holds_(deps_, calls_),
        commit_(deps_, calls_),
        lifecycle_(deps_, calls_) {}
  CheckoutService(const CheckoutService&) = delete;
  CheckoutService& operator=(const CheckoutService&) = delete;

  // `deadline` is when vendor calls must be over (the caller's deadline less
  // the broker's margin).
  // `cancelled` (may be empty) turns true when the caller goes away: the
  // vendor calls of identify and quote stop then. Bookings are never cut short.
  absl::Status Identify(const StoreContext& store, absl::Time deadline,
                        const v1::IdentifyCustomerRequest& request,
                        v1::IdentifyCustomerResponse* response,
                        const std::function<bool()>& cancelled = {}) {
    return identification_.Identify(store, deadline, request, response, cancelled);
  }
  absl::Status Quote(const StoreContext& store, absl::Time deadline,
                     const v1::QuoteCartRequest& request, v1::QuoteCartResponse* response,
                     const std::function<bool()>& cancelled = {}) {
    return quoting_.Quote(store, deadline, request, response, cancelled);
  }
  absl::Status Hold(const StoreContext& store, absl::Time deadline,
                    const v1::HoldPointsRequest& request, v1::HoldPointsResponse* response) {
    return holds_.Hold(store, deadline, request, response);
  }
  absl::Status Release(const StoreContext& store, absl::Time deadline,
                       const v1::ReleaseHoldRequest& request, v1::ReleaseHoldResponse* response) {
    return holds_.Release(store, deadline, request, response);
  }
  absl::Status Commit(const StoreContext& store, absl::Time deadline,
                      const v1::CommitPurchaseRequest& request, v1::PurchaseResponse* response) {
    return commit_.Commit(store, deadline, request, response);
  }
  absl::Status Confirm(const StoreContext& store, absl::Time deadline,
                       const v1::PurchaseByOrderRequest& request, v1::PurchaseResponse* response) {
    return lifecycle_.Confirm(store, deadline, request, response);
  }
  absl::Status Cancel(const StoreContext& store, absl::Time deadline,
                      const v1::PurchaseByOrderRequest& request, v1::PurchaseResponse* response) {
    return lifecycle_.Cancel(store, deadline, request, response);
  }
  absl::Status Restore(const StoreContext& store, absl::Time deadline,
                       const v1::PurchaseByOrderRequest& request, v1::PurchaseResponse* response) {
    return lifecycle_.Restore(store, deadline, request, response);
  }
  absl::Status Reassign(const StoreContext& store, absl::Time deadline,
                        const v1::ReassignPurchaseRequest& request,
                        v1::PurchaseResponse* response) {
    return lifecycle_.Reassign(store, deadline, request, response);
  }
  absl::Status Get(const StoreContext& store, const v1::PurchaseByOrderRequest& request,
                   v1::PurchaseResponse* response) {
    return lifecycle_.Get(store, request, response);
  }

 private:
  CheckoutDependencies deps_;
  ProgramCalls calls_;
  Identification identification_;
  Quoting quoting_;
  PointHolds holds_;
  PurchaseCommit commit_;
  PurchaseLifecycle lifecycle_;
};

}  // namespace loyalty::broker
