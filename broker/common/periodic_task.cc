#include "broker/common/periodic_task.h"

namespace loyalty::broker {

void PeriodicTask::Start() {
  task_();
  thread_ = std::thread([this] {
    while (true) {
      {
        std::unique_lock lock(mutex_);
        if (wake_.wait_for(lock, absl::ToChronoNanoseconds(interval_),
                           [this] { return stopping_; })) {
          return;
        }
      }
      task_();
    }
  });
}

void PeriodicTask::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace loyalty::broker
