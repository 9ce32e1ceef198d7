#pragma once

// Runs a task at once and then every `interval` on its own thread, until
// Stop() (or destruction). Start() never waits for it: a first pass that
// calls slow vendors (recovery, the outbox, reconciliation) must not hold a
// replica back from serving. For background upkeep: metrics state, expired
// holds.

#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace loyalty::broker {

class PeriodicTask {
 public:
  PeriodicTask(absl::Duration interval, std::function<void()> task)
      : interval_(interval), task_(std::move(task)) {}
  ~PeriodicTask() { Stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void Start();
  // Runs the first pass on the caller's thread before it returns, then
  // every `interval` on the task's own: for a pass whose result must exist
  // once the caller goes on (the metrics state before the first scrape).
  void StartAfterFirstPassHere();
  void Stop();

 private:
  // The task's thread: a pass (unless `wait_first`), then one per interval.
  void Loop(bool wait_first);

  absl::Duration interval_;
  std::function<void()> task_;
  absl::Mutex mutex_;
  absl::CondVar wake_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace loyalty::broker
