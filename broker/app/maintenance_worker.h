#pragma once

// Background upkeep of the broker's own records, at start and then every
// broker.maintenance_interval_seconds: holds past their expiry are marked
// expired, so the ledger and the metrics show only live holds. Safe with
// several replicas: each pass is one idempotent UPDATE.

#include "absl/time/time.h"
#include "broker/common/periodic_task.h"
#include "broker/storage/hold_repository.h"

namespace loyalty::broker {

class MaintenanceWorker {
 public:
  MaintenanceWorker(HoldRepository& holds, absl::Duration interval)
      : holds_(holds), task_(interval, [this] { RunOnce(); }) {}

  void Start() { task_.Start(); }
  void Stop() { task_.Stop(); }
  // One pass; logs what it did.
  void RunOnce();

 private:
  HoldRepository& holds_;
  PeriodicTask task_;
};

}  // namespace loyalty::broker
