#pragma once

// HoldPoints and ReleaseHold: the vendor's own holds where it has them, the
// broker's ledger otherwise.

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "broker/core/checkout_dependencies.h"
#include "broker/core/program_calls.h"
#include "loyalty/broker/v1/broker.pb.h"

namespace loyalty::broker {

class PointHolds {
 public:
  PointHolds(const CheckoutDependencies& deps, ProgramCalls& calls) : deps_(deps), calls_(calls) {}

  absl::Status Hold(const StoreContext& store, absl::Time deadline,
                    const v1::HoldPointsRequest& request, v1::HoldPointsResponse* response);
  absl::Status Release(const StoreContext& store, absl::Time deadline,
                       const v1::ReleaseHoldRequest& request, v1::ReleaseHoldResponse* response);

 private:
  const CheckoutDependencies& deps_;
  ProgramCalls& calls_;
};

}  // namespace loyalty::broker
