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
}

}  // namespace loyalty::broker
