#pragma once

// Runs a task once at Start() and then every `interval` on its own thread,
// until Stop() (or destruction). For background upkeep: metrics state,
// expired holds.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

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
  void Stop();

 private:
  absl::Duration interval_;
  std::function<void()> task_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace loyalty::broker
