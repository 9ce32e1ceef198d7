#pragma once

// Background upkeep of the broker's own records, at start and then every
// broker.maintenance_interval_seconds: holds past their expiry are marked
// expired, so the ledger and the metrics show only live holds. Safe with
// several replicas: each pass is one idempotent UPDATE.

#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/time/time.h"
#include "broker/storage/hold_repository.h"

namespace loyalty::broker {

class MaintenanceWorker {
 public:
  MaintenanceWorker(HoldRepository& holds, absl::Duration interval)
      : holds_(holds), interval_(interval) {}
  ~MaintenanceWorker();

  void Start();
  void Stop();
  // One pass; logs what it did.
  void RunOnce();

 private:
  HoldRepository& holds_;
  absl::Duration interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace loyalty::broker
