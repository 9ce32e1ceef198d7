#pragma once

// Fixed pool of worker threads with a bounded queue. gRPC reactions hand
// their work here so that no gRPC thread ever waits on the database or a
// vendor; a full queue refuses more work instead of growing without end.

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace loyalty::broker {

class ThreadPool {
 public:
  ThreadPool(int threads, int max_queued);
  // Runs every task already submitted, then joins.
  ~ThreadPool();

  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // False, and `task` dropped, when `max_queued` tasks wait already.
  bool TrySubmit(std::function<void()> task);
  // Tasks waiting for a thread now.
  int queued();

 private:
  void Work();

  absl::Mutex mutex_;
  absl::CondVar ready_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mutex_);
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  const size_t max_queued_;
  std::vector<std::thread> threads_;
};

}  // namespace loyalty::broker
