#pragma once

// Finishes what commits left for later or left half-done, in the
// background (the maintenance worker runs it at start and periodically):
// interrupted commits (InterruptedCommits), then the outbox
// (OutboxDelivery).

#include "absl/status/statusor.h"
#include "broker/core/interrupted_commits.h"
#include "broker/core/outbox_delivery.h"
#include "broker/core/program_calls.h"
#include "broker/core/recovery_dependencies.h"

namespace loyalty::broker {

class CheckoutRecovery {
 public:
  CheckoutRecovery(RecoveryDependencies deps, RecoverySettings settings)
      : deps_(deps),
        settings_(settings),
        calls_(deps_.connectors, deps_.journal, deps_.observer),
        interrupted_(deps_, settings_, calls_),
        outbox_(deps_, settings_, calls_) {}
  CheckoutRecovery(const CheckoutRecovery&) = delete;
  CheckoutRecovery& operator=(const CheckoutRecovery&) = delete;

  // Returns how many interrupted purchases were settled.
  absl::StatusOr<int> RecoverInterrupted() { return interrupted_.Recover(); }
  // Returns how many outbox entries were settled (delivered, dropped, in doubt).
  absl::StatusOr<int> DrainOutbox() { return outbox_.Drain(); }

 private:
  RecoveryDependencies deps_;
  RecoverySettings settings_;
  ProgramCalls calls_;
  InterruptedCommits interrupted_;
  OutboxDelivery outbox_;
};

}  // namespace loyalty::broker
