#pragma once

// QuoteCart: every program prices the cart at once, the discounts merge in
// the store's order, and programs whose cart the others changed price it
// again as it will be booked (quoting.cc). The quote is stored for the
// commit.

#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "broker/core/checkout_dependencies.h"
#include "broker/core/program_calls.h"
#include "loyalty/broker/v1/broker.pb.h"

namespace loyalty::broker {

class Quoting {
 public:
  Quoting(const CheckoutDependencies& deps, ProgramCalls& calls) : deps_(deps), calls_(calls) {}

  absl::Status Quote(const StoreContext& store, absl::Time deadline,
                     const v1::QuoteCartRequest& request, v1::QuoteCartResponse* response,
                     const std::function<bool()>& cancelled);

 private:
  const CheckoutDependencies& deps_;
  ProgramCalls& calls_;
};

}  // namespace loyalty::broker
