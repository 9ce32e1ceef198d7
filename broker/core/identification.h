#pragma once

// IdentifyCustomer: asks every program used for identifying at once and
// merges their accounts.

#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "broker/core/checkout_dependencies.h"
#include "broker/core/program_calls.h"
#include "loyalty/broker/v1/broker.pb.h"

namespace loyalty::broker {

class Identification {
 public:
  Identification(const CheckoutDependencies& deps, ProgramCalls& calls)
      : deps_(deps), calls_(calls) {}

  absl::Status Identify(const StoreContext& store, absl::Time deadline,
                        const v1::IdentifyCustomerRequest& request,
                        v1::IdentifyCustomerResponse* response,
                        const std::function<bool()>& cancelled);

 private:
  const CheckoutDependencies& deps_;
  ProgramCalls& calls_;
};

}  // namespace loyalty::broker
