#include "broker/common/thread_pool.h"

#include <pthread.h>

namespace loyalty::broker {

ThreadPool::ThreadPool(int threads, int max_queued) : max_queued_(max_queued) {
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
      pthread_setname_np(pthread_self(), "worker");  // as `top -H` and perf show it
      Work();
    });
  }
}

ThreadPool::~ThreadPool() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  ready_.SignalAll();
  for (auto& thread : threads_) thread.join();
}

bool ThreadPool::TrySubmit(std::function<void()> task) {
  {
    absl::MutexLock lock(&mutex_);
    if (tasks_.size() >= max_queued_) return false;
    tasks_.push_back(std::move(task));
  }
  ready_.Signal();
  return true;
}

int ThreadPool::queued() {
  absl::MutexLock lock(&mutex_);
  return static_cast<int>(tasks_.size());
}

void ThreadPool::Work() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mutex_);
      while (!stopping_ && tasks_.empty()) ready_.Wait(&mutex_);
      if (tasks_.empty()) return;  // stopping and drained
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace loyalty::broker
