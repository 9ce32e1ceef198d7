#include "broker/app/maintenance_worker.h"

#include <string>

#include "broker/common/logging.h"

namespace loyalty::broker {
namespace {

// Logs a step's count when it did something, its error when it failed.
template <typename Count>
void Report(const char* task, const absl::StatusOr<Count>& done) {
  if (!done.ok()) {
    Log(LogLevel::kWarning, "maintenance_failed",
        {{"task", task}, {"error", std::string(done.status().message())}});
  } else if (*done > 0) {
    Log(LogLevel::kInfo, "maintenance_done", {{"task", task}, {"count", std::to_string(*done)}});
  }
}

}  // namespace

void MaintenanceWorker::RunOnce() {
  Report("expire_holds", holds_.ExpireDue());
  Report("recover_interrupted", recovery_.RecoverInterrupted());
  Report("drain_outbox", recovery_.DrainOutbox());
  auto partitions = partitions_.RunOnce();
  if (!partitions.ok()) {
    Report("partitions", absl::StatusOr<int>(partitions.status()));
  } else if (partitions->gave_way) {
    Log(LogLevel::kInfo, "partitions_gave_way", {});
  } else if (partitions->created + partitions->dropped > 0) {
    Log(LogLevel::kInfo, "partitions_kept",
        {{"created", std::to_string(partitions->created)},
         {"dropped", std::to_string(partitions->dropped)}});
  }
}

void MaintenanceWorker::ReconcileOnce() {
  auto pass = reconciler_.RunOnce();
  if (!pass.ok()) {
    Report("reconcile", absl::StatusOr<int>(pass.status()));
    return;
  }
  if (pass->purchases > 0) {
    Log(pass->mismatches > 0 ? LogLevel::kWarning : LogLevel::kInfo, "reconciliation_done",
        {{"purchases", std::to_string(pass->purchases)},
         {"mismatches", std::to_string(pass->mismatches)},
         {"settled", std::to_string(pass->settled)}});
  }
}

}  // namespace loyalty::broker
