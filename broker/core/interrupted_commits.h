#pragma once

// Purchases still pending long after any commit could run (the broker
// stopped mid-commit) are finished when every vendor shows the booking,
// undone when none or only some do, and marked in doubt when a vendor that
// cannot be asked (no idempotent booking) may have acted. Safe with several
// replicas: a purchase is claimed in PostgreSQL before any vendor is called.

#include "absl/status/statusor.h"
#include "broker/core/booking_saga.h"
#include "broker/core/program_calls.h"
#include "broker/core/recovery_dependencies.h"

namespace loyalty::broker {

class InterruptedCommits {
 public:
  InterruptedCommits(const RecoveryDependencies& deps, const RecoverySettings& settings,
                     ProgramCalls& calls)
      : deps_(deps), settings_(settings), calls_(calls), saga_(calls) {}

  // Returns how many interrupted purchases were settled.
  absl::StatusOr<int> Recover();

 private:
  absl::StatusOr<bool> RecoverPurchase(const StalePurchase& stale);

  const RecoveryDependencies& deps_;
  const RecoverySettings& settings_;
  ProgramCalls& calls_;
  BookingSaga saga_;
};

}  // namespace loyalty::broker
