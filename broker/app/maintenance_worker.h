#pragma once

// Background upkeep, at start and then every broker.maintenance_interval_seconds:
// holds past their expiry are marked expired (so the ledger and the metrics
// show only live holds), purchases interrupted mid-commit are finished or
// undone, the outbox is delivered, and the day partitions of quotes and the
// journal are created ahead and dropped past their retention. Safe with
// several replicas: each step claims its rows (or its lock) in PostgreSQL
// first.

#include "absl/time/time.h"
#include "broker/common/periodic_task.h"
#include "broker/core/checkout_recovery.h"
#include "broker/core/reconciliation.h"
#include "broker/core/repositories/hold_repository.h"
#include "broker/storage/partition_upkeep.h"

namespace loyalty::broker {

class MaintenanceWorker {
 public:
  MaintenanceWorker(HoldRepository& holds, CheckoutRecovery& recovery, Reconciler& reconciler,
                    PartitionUpkeep& partitions, absl::Duration interval,
                    absl::Duration reconcile_interval)
      : holds_(holds),
        recovery_(recovery),
        reconciler_(reconciler),
        partitions_(partitions),
        task_(interval, [this] { RunOnce(); }),
        reconcile_task_(reconcile_interval, [this] { ReconcileOnce(); }) {}

  void Start() {
    task_.Start();
    reconcile_task_.Start();
  }
  void Stop() {
    reconcile_task_.Stop();
    task_.Stop();
  }
  // One pass; logs what it did.
  void RunOnce();
  // One reconciliation pass (it calls vendors: on its own, slower cadence).
  void ReconcileOnce();

 private:
  HoldRepository& holds_;
  CheckoutRecovery& recovery_;
  Reconciler& reconciler_;
  PartitionUpkeep& partitions_;
  // Last: stopped before the members they use go.
  PeriodicTask task_;
  PeriodicTask reconcile_task_;
};

}  // namespace loyalty::broker
