#include "broker/app/maintenance_worker.h"

#include <string>

#include "broker/common/logging.h"

namespace loyalty::broker {
namespace {

// Logs a step's count when it did something, its error when it failed.
void Report(const char* task, const absl::StatusOr<int64_t>& done) {
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
  auto recovered = recovery_.RecoverInterrupted();
  Report("recover_interrupted",
         recovered.ok() ? absl::StatusOr<int64_t>(*recovered) : recovered.status());
  auto delivered = recovery_.DrainOutbox();
  Report("drain_outbox", delivered.ok() ? absl::StatusOr<int64_t>(*delivered) : delivered.status());
}

}  // namespace loyalty::broker
