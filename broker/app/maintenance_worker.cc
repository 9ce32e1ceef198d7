#include "broker/app/maintenance_worker.h"

#include <string>

#include "broker/common/logging.h"

namespace loyalty::broker {

MaintenanceWorker::~MaintenanceWorker() { Stop(); }

void MaintenanceWorker::Start() {
  RunOnce();
  thread_ = std::thread([this] {
    while (true) {
      {
        std::unique_lock lock(mutex_);
        if (wake_.wait_for(lock, absl::ToChronoNanoseconds(interval_),
                           [this] { return stopping_; })) {
          return;
        }
      }
      RunOnce();
    }
  });
}

void MaintenanceWorker::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

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
