#pragma once

// Background upkeep, at start and then every broker.maintenance_interval_seconds:
// holds past their expiry are marked expired (so the ledger and the metrics
// show only live holds), purchases interrupted mid-commit are finished or
// undone, and the outbox is delivered. Safe with several replicas: each
// step claims its rows in PostgreSQL first.

#include "absl/time/time.h"
#include "broker/common/periodic_task.h"
#include "broker/core/checkout_recovery.h"
#include "broker/storage/hold_repository.h"

namespace loyalty::broker {

class MaintenanceWorker {
 public:
  MaintenanceWorker(HoldRepository& holds, CheckoutRecovery& recovery, absl::Duration interval)
      : holds_(holds), recovery_(recovery), task_(interval, [this] { RunOnce(); }) {}

  void Start() { task_.Start(); }
  void Stop() { task_.Stop(); }
  // One pass; logs what it did.
  void RunOnce();

 private:
  HoldRepository& holds_;
  CheckoutRecovery& recovery_;
  PeriodicTask task_;  // last: stopped before the members it uses go
};

}  // namespace loyalty::broker
