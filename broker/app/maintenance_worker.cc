#include "broker/app/maintenance_worker.h"

#include <string>

#include "broker/common/logging.h"

namespace loyalty::broker {

void MaintenanceWorker::RunOnce() {
  auto expired = holds_.ExpireDue();
  if (!expired.ok()) {
    Log(LogLevel::kWarning, "maintenance_failed",
        {{"task", "expire_holds"}, {"error", std::string(expired.status().message())}});
    return;
  }
  if (*expired > 0) {
    Log(LogLevel::kInfo, "holds_expired", {{"count", std::to_string(*expired)}});
  }
}

}  // namespace loyalty::broker
