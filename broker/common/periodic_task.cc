#include "broker/common/periodic_task.h"

#include "absl/time/clock.h"

namespace loyalty::broker {

void PeriodicTask::Start() {
  thread_ = std::thread([this] { Loop(/*wait_first=*/false); });
}

void PeriodicTask::StartAfterFirstPassHere() {
  task_();
  thread_ = std::thread([this] { Loop(/*wait_first=*/true); });
}

void PeriodicTask::Loop(bool wait_first) {
  for (bool wait = wait_first;; wait = true) {
    if (wait) {
      absl::MutexLock lock(&mutex_);
      const absl::Time next = absl::Now() + interval_;
      while (!stopping_ && !wake_.WaitWithDeadline(&mutex_, next)) {
      }
      if (stopping_) return;
    }
    task_();
  }
}

void PeriodicTask::Stop() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  wake_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

}  // namespace loyalty::broker
